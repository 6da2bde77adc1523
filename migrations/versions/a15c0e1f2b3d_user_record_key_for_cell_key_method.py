"""statistics: a fixed random record key per user for the cell key method

Revision ID: a15c0e1f2b3d
Revises: b8c2d9e1f3a7
Create Date: 2026-12-07 14:30:00.000000

Existing users get their keys lazily, on the first statistics export (stats.cellkey.ensure_record_keys).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a15c0e1f2b3d'
down_revision = 'b8c2d9e1f3a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_key', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('record_key')
