"""service emails in the outbox: no notification needed (password reset, accessibility feedback), the account named

Revision ID: a7c3e5f1b9d2
Revises: c4e6a8b0d2f4
Create Date: 2026-12-07 15:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e5f1b9d2'
down_revision = 'c4e6a8b0d2f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.alter_column('notification_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_email_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_outbox_email_user_id_user_account'), 'user_account', ['user_id'], ['id'],
            ondelete='CASCADE',
        )


def downgrade():
    op.execute('DELETE FROM outbox_email WHERE notification_id IS NULL')
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_email_user_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_email_user_id'))
        batch_op.drop_column('user_id')
        batch_op.alter_column('notification_id', existing_type=sa.Integer(), nullable=False)
