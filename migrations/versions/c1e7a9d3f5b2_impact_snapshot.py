"""impact board: one protected snapshot of the city's impact per city day

Revision ID: c1e7a9d3f5b2
Revises: e5a1c7d3f9b2
Create Date: 2026-12-07 18:20:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'c1e7a9d3f5b2'
down_revision = 'e5a1c7d3f9b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('impact_snapshot',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('data_use_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['data_use_id'], ['data_use.id'], name=op.f('fk_impact_snapshot_data_use_id_data_use'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_impact_snapshot'))
    )


def downgrade():
    op.drop_table('impact_snapshot')
