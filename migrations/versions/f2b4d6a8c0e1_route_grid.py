"""route grid: consented tracks as counts per cell, week, mode and hour band; residents' weeks and upload marks

Revision ID: f2b4d6a8c0e1
Revises: 0814c6a6ee6d
Create Date: 2026-12-07 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2b4d6a8c0e1'
down_revision = '0814c6a6ee6d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('route_cell',
    sa.Column('cell', sa.String(length=16), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('hour_band', sa.String(length=10), nullable=False),
    sa.Column('contributor', sa.String(length=32), nullable=False),
    sa.Column('tracks', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('cell', 'week', 'mode', 'hour_band', 'contributor', name=op.f('pk_route_cell'))
    )
    with op.batch_alter_table('route_cell', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_route_cell_week'), ['week'], unique=False)
    op.create_table('route_week',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('tracks', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_route_week_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'week', name=op.f('pk_route_week'))
    )
    op.create_table('route_upload',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_route_upload_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'fingerprint', name=op.f('pk_route_upload'))
    )


def downgrade():
    op.drop_table('route_upload')
    op.drop_table('route_week')
    with op.batch_alter_table('route_cell', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_route_cell_week'))
    op.drop_table('route_cell')
