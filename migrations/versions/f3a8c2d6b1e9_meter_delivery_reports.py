"""meter delivery reports: each delivery's rejected rows, kept for a bounded time for the client that delivered

Revision ID: f3a8c2d6b1e9
Revises: b8d2f4a6c1e3
Create Date: 2026-12-07 21:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a8c2d6b1e9'
down_revision = 'b8d2f4a6c1e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meter_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rejected_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['organisation_client.id'], name=op.f('fk_meter_delivery_client_id_organisation_client'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_meter_delivery_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_delivery'))
    )
    with op.batch_alter_table('meter_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meter_delivery_expires_at'), ['expires_at'], unique=False)
    op.create_table('meter_rejection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('meter_number', sa.String(length=32), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['meter_delivery.id'], name=op.f('fk_meter_rejection_delivery_id_meter_delivery'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_rejection'))
    )
    with op.batch_alter_table('meter_rejection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meter_rejection_delivery_id'), ['delivery_id'], unique=False)


def downgrade():
    with op.batch_alter_table('meter_rejection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meter_rejection_delivery_id'))
    op.drop_table('meter_rejection')
    with op.batch_alter_table('meter_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meter_delivery_expires_at'))
    op.drop_table('meter_delivery')
