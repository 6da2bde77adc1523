"""challenge late entry days: activity dated inside a challenge is taken for this many days after its end

The challenge closes, and its final ranks, prizes and completion bonuses are settled, when the late-entry
days are over. Challenges that exist keep closing at their end (0 days).

Revision ID: b8c2d9e1f3a7
Revises: a3f1c2d4e5b6
Create Date: 2026-12-07 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8c2d9e1f3a7'
down_revision = 'a3f1c2d4e5b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_entry_days', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.drop_column('late_entry_days')
