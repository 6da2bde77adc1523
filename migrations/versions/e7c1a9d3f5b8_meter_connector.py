"""meter connector: residents' meter links and the one value per meter and day the utility's deliveries left

Revision ID: e7c1a9d3f5b8
Revises: c4e8a1d7f2b6
Create Date: 2026-12-07 18:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7c1a9d3f5b8'
down_revision = 'c4e8a1d7f2b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meter_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('meter_number', sa.String(length=32), nullable=False),
    sa.Column('customer_number', sa.String(length=32), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_meter_link_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_link')),
    sa.UniqueConstraint('meter_number', name=op.f('uq_meter_link_meter_number')),
    sa.UniqueConstraint('user_id', name=op.f('uq_meter_link_user_id'))
    )
    op.create_table('meter_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('meter_number', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('register_kwh', sa.Float(), nullable=False),
    sa.Column('consumed_kwh', sa.Float(), nullable=True),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_meter_day_user_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['organisation_client.id'], name=op.f('fk_meter_day_client_id_organisation_client'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter_day')),
    sa.UniqueConstraint('meter_number', 'day', name='uq_meter_day_meter_number_day')
    )
    with op.batch_alter_table('meter_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meter_day_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('meter_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meter_day_user_id'))
    op.drop_table('meter_day')
    op.drop_table('meter_link')
