"""rate limit counters shared by every process

Without Redis, rate limits are counted here (app.rate_limits), so that every gunicorn worker counts
against the same limit (issue 16).

Revision ID: 44138fb2ee22
Revises: 2fcbcc1838ed
Create Date: 2026-12-07 14:48:53.496032

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '44138fb2ee22'
down_revision = '2fcbcc1838ed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_counter',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key_hash', name=op.f('pk_rate_limit_counter'))
    )


def downgrade():
    op.drop_table('rate_limit_counter')
