"""consent given on paper: the manager who entered it at the service desk and the signed form's reference

Revision ID: c4e6a8b0d2f4
Revises: 44138fb2ee22
Create Date: 2026-12-07 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e6a8b0d2f4'
down_revision = '44138fb2ee22'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entered_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('paper_reference', sa.String(length=80), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_consent_entered_by_id_user_account'), 'user_account', ['entered_by_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_consent_entered_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('paper_reference')
        batch_op.drop_column('entered_by_id')
