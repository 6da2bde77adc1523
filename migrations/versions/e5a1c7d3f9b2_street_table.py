"""street table: which neighbourhood each street (per postcode) lies in, for the registration lookup

Revision ID: e5a1c7d3f9b2
Revises: d3f5a7c9e1b2
Create Date: 2026-12-07 17:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a1c7d3f9b2'
down_revision = 'd3f5a7c9e1b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('street',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_key', sa.String(length=120), nullable=False),
    sa.Column('postcode', sa.String(length=5), nullable=False),
    sa.Column('neighbourhood_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhood.id'], name=op.f('fk_street_neighbourhood_id_neighbourhood'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_street')),
    sa.UniqueConstraint('name_key', 'postcode', name=op.f('uq_street_name_key'))
    )
    with op.batch_alter_table('street', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_street_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_street_neighbourhood_id'), ['neighbourhood_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_street_postcode'), ['postcode'], unique=False)


def downgrade():
    with op.batch_alter_table('street', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_street_postcode'))
        batch_op.drop_index(batch_op.f('ix_street_neighbourhood_id'))
        batch_op.drop_index(batch_op.f('ix_street_name_key'))
    op.drop_table('street')
