"""season score buckets: the season board's "my rank" from a histogram, as the challenge board's

Revision ID: d3f5a7c9e1b2
Revises: d4b8f2a6e1c9
Create Date: 2026-12-07 18:00:00

"""
import struct
from collections import Counter

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd3f5a7c9e1b2'
down_revision = 'd4b8f2a6e1c9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('season_score_bucket',
    sa.Column('period', sa.Enum('week', 'month', 'all', name='season_period', native_enum=False, length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('bucket', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('period', 'period_start', 'bucket', name=op.f('pk_season_score_bucket'))
    )
    _backfill_buckets()


# The bucket is leaderboards.histogram.bucket as of this revision (a score's exponent and first 5
# mantissa bits; 0 for zero and below), copied so that the migration keeps meaning the same.
def _bucket(score):
    score = float(score)
    return struct.unpack("<q", struct.pack("<d", score))[0] >> 47 if score > 0 else 0


def _backfill_buckets():
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT period, period_start, points, COUNT(*) FROM season_points WHERE points > 0 "
        "GROUP BY period, period_start, points"
    ))
    counts = Counter()
    for period, start, points, entries in rows:
        counts[period, start, _bucket(points)] += entries
    if counts:
        bind.execute(
            sa.text("INSERT INTO season_score_bucket (period, period_start, bucket, entries) VALUES (:p, :s, :b, :n)"),
            [{"p": p, "s": s, "b": b, "n": n} for (p, s, b), n in sorted(counts.items(), key=str)],
        )


def downgrade():
    op.drop_table('season_score_bucket')
