"""Each challenge's histogram of active scores, so that a rank costs the same in any size of field.

A rank is 1 + the entries scoring higher. Counting them on the score index grows with the rank
(about 50,000 index entries for a resident in the middle of 100,000); here it is the sum of the
buckets above the score's own bucket (a few hundred rows at most) plus a count of the entries in
its bucket that score higher (an index range no wider than the bucket).

Buckets: a score's binary exponent and the first MANTISSA_BITS bits after it, i.e. the top bits of
the IEEE 754 double. For non-negative doubles that bit pattern, read as an integer, grows with the
value, so buckets keep the order of scores; each bucket's bounds are doubles themselves, so a
bucket computed in Python and a range compared in SQL can never disagree by a rounding. Buckets
are 1/32 of a power of two wide (≤ 3 % of the score): scores of any metric and magnitude spread
over 32 buckets per doubling, about 400 across 1 to 4,096, and whole numbers below 64 (trip
counts, say) get a bucket each. Zero, and negatives left by rounding, share bucket 0.
"""

import struct
from collections import Counter
from datetime import date

from sqlalchemy import delete, func, select, true

from app import counters
from app.extensions import db
from challenges.models import Enrollment
from leaderboards.models import Period, ScoreBucket, SeasonBucket, SeasonPoints

MANTISSA_BITS = 5
_SHIFT = 52 - MANTISSA_BITS
_INFINITY_BITS = 0x7FF << 52


counters.register(ScoreBucket.__table__, ("challenge_id", "bucket"), ("entries",))
counters.register(SeasonBucket.__table__, ("period", "period_start", "bucket"), ("entries",))


def _bits(score: float) -> int:
    return struct.unpack("<q", struct.pack("<d", score))[0]


def _double(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<q", bits))[0]


def bucket(score: float) -> int:
    """The bucket a score falls in; never smaller for a higher score."""
    return _bits(score) >> _SHIFT if score > 0 else 0


def bounds(number: int) -> tuple[float | None, float | None]:
    """The bucket's scores as [low, high): None where it has no bound (bucket 0 below, the last above)."""
    low = _double(number << _SHIFT) if number > 0 else None
    high_bits = (number + 1) << _SHIFT
    return low, (_double(high_bits) if high_bits < _INFINITY_BITS else None)


def shift(challenge_id: int, before: float | None, after: float | None) -> None:
    """Move one entry from the bucket of `before` to that of `after` (None: it did not, or no longer, counts).

    The counts are app.counters, added to in the database as the transaction commits, so concurrent
    changes add up and hold a bucket for the commit only.
    """
    moves = Counter()
    if before is not None:
        moves[bucket(before)] -= 1
    if after is not None:
        moves[bucket(after)] += 1
    for number, change in moves.items():
        if change:
            counters.add(ScoreBucket.__table__, challenge_id=challenge_id, bucket=number, entries=change)


def _active(challenge_id: int) -> tuple:
    # `== true()` rather than the bare column: an equality the index can seek on.
    return Enrollment.challenge_id == challenge_id, Enrollment.active == true()


def tally(challenge_id: int, score: float) -> tuple[int, int]:
    """(entries scoring higher, entries scoring exactly `score`) among the challenge's active participants.

    One statement: two sums over the bucket rows, and two counts within the score's bucket on
    ix_enrollment_leaderboard (above and below the score), whose rest is the score's tie group.
    """
    buckets = (ScoreBucket.bucket, ScoreBucket.entries, (ScoreBucket.challenge_id == challenge_id,))
    return _tally(buckets, (Enrollment.score, _active(challenge_id)), score)


def season_tally(period: Period, start: date, points: int) -> tuple[int, int]:
    """(residents with more points, residents with exactly `points`) in one season period, `points` > 0.

    As `tally`: the season's buckets, then two counts inside one bucket on ix_season_points_period_points.
    """
    where = (SeasonBucket.period == period, SeasonBucket.period_start == start)
    rows = (SeasonPoints.period == period, SeasonPoints.period_start == start)
    return _tally((SeasonBucket.bucket, SeasonBucket.entries, where), (SeasonPoints.points, rows), points)


def _tally(buckets: tuple, rows: tuple, score: float) -> tuple[int, int]:
    """(entries above `score`, entries at it) from a histogram (`buckets`: its bucket and count columns and
    which rows are this ranking's) and the ranked rows (`rows`: score column and the ranking's condition)."""
    bucket_column, entries, bucket_where = buckets
    score_column, row_where = rows
    number = bucket(score)
    low, high = bounds(number)
    total = func.coalesce(func.sum(entries), 0)

    def summed(*where):
        return select(total).where(*bucket_where, *where).scalar_subquery()

    def inside(*where):
        return select(func.count()).select_from(score_column.table).where(*row_where, *where).scalar_subquery()

    higher = inside(score_column > score, *(() if high is None else (score_column < high,)))
    lower = inside(score_column < score, *(() if low is None else (score_column >= low,)))
    row = db.session.execute(
        select(summed(bucket_column > number), summed(bucket_column == number), higher, lower)
    ).one()
    above, own, higher_inside, lower_inside = row
    return above + higher_inside, own - higher_inside - lower_inside


def shift_season(moves: list[tuple[Period, date, int, int]]) -> None:
    """Move residents between the season buckets of their points: (period, start, points before, after).

    Only points above zero are in a bucket. The counts are app.counters, added to in the database as the
    transaction commits, so that concurrent changes add up and hold a bucket for the commit only.
    """
    counts = Counter()
    for period, start, before, after in moves:
        if before > 0:
            counts[Period(period).value, start, bucket(before)] -= 1
        if after > 0:
            counts[Period(period).value, start, bucket(after)] += 1
    for (period, start, number), change in counts.items():
        if change:
            counters.add(SeasonBucket.__table__, period=period, period_start=start, bucket=number, entries=change)


def season_recount(period: Period, start: date) -> dict[int, int]:
    """One season period's non-empty buckets counted afresh from the residents' points."""
    rows = db.session.execute(
        select(SeasonPoints.points, func.count())
        .where(SeasonPoints.period == period, SeasonPoints.period_start == start, SeasonPoints.points > 0)
        .group_by(SeasonPoints.points)
    )
    counts = Counter()
    for points, entries in rows:
        counts[bucket(points)] += entries
    return dict(counts)


def season_rebuild(period: Period, start: date) -> None:
    """Replace one season period's histogram with a recount (its head count's row is held by the caller)."""
    db.session.execute(delete(SeasonBucket).where(SeasonBucket.period == period, SeasonBucket.period_start == start))
    rows = [{"period": Period(period).value, "period_start": start, "bucket": number, "entries": entries}
            for number, entries in sorted(season_recount(period, start).items())]  # fmt: skip
    if rows:
        db.session.execute(SeasonBucket.__table__.insert(), rows)
    db.session.flush()


def recount(challenge_id: int) -> dict[int, int]:
    """The challenge's non-empty buckets counted afresh from its enrollments: one grouped read of distinct scores."""
    scores = db.session.execute(
        select(Enrollment.score, func.count()).where(*_active(challenge_id)).group_by(Enrollment.score)
    )
    counts = Counter()
    for score, entries in scores:
        counts[bucket(score)] += entries
    return dict(counts)


def rebuild(challenge_id: int) -> None:
    """Replace the challenge's histogram with a recount, after enrollments were written around the services."""
    db.session.execute(delete(ScoreBucket).where(ScoreBucket.challenge_id == challenge_id))
    rows = [{"challenge_id": challenge_id, "bucket": number, "entries": entries}
            for number, entries in sorted(recount(challenge_id).items())]  # fmt: skip
    if rows:
        db.session.execute(ScoreBucket.__table__.insert(), rows)
    db.session.flush()


def stored(challenge_id: int) -> dict[int, int]:
    """The challenge's non-empty buckets as kept."""
    rows = db.session.execute(
        select(ScoreBucket.bucket, ScoreBucket.entries).where(
            ScoreBucket.challenge_id == challenge_id, ScoreBucket.entries != 0
        )
    )
    return {number: entries for number, entries in rows}
