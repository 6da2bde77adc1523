"""The leaderboards' totals for `flask scores check` (app.reconciliation): each challenge's score histogram
against its active enrollments, season points against the submissions, each period's head count, and
each period's histogram of points against the season points.

Season points of a week or month are compared with the submissions only for periods that began after
the oldest moment retention may have reached (challenges.reconcile.kept_since): older periods lost
raw submissions on purpose. All-time points are compared with the sum of the resident's months
instead, which every change adds to alike.
"""

from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import Date, Float, and_, cast, func, literal, select, true, union_all, update
from sqlalchemy.orm import aliased

from app.clock import local_date
from app.extensions import db
from app.locks import lock_residents
from app.reconciliation import Check, Difference
from app.upserts import dialect_insert
from challenges.models import Enrollment, Submission, SubmissionStatus
from challenges.reconcile import kept_since
from challenges.totals import hold_challenges
from leaderboards import histogram
from leaderboards.models import Period, ScoreBucket, SeasonBucket, SeasonPeriod, SeasonPoints
from leaderboards.services import ALL_TIME_START

CHECKED = (Period.WEEK, Period.MONTH)  # compared with the submissions; all time with the months
CHUNK = 1000  # residents (and rows) per statement: PostgreSQL takes at most 65,535 bind parameters


# Histograms ---------------------------------------------------------------------------------------


def find_histograms() -> list[Difference]:
    """Score buckets whose count is not the number of active participants scoring in them.

    One statement reads both the active scores and the kept buckets, so they are of one moment.
    """
    scores = (
        select(Enrollment.challenge_id, literal(0).label("kept"), Enrollment.score, func.count())
        .where(Enrollment.active == true())
        .group_by(Enrollment.challenge_id, Enrollment.score)
    )
    buckets = select(ScoreBucket.challenge_id, literal(1), cast(ScoreBucket.bucket, Float), ScoreBucket.entries).where(
        ScoreBucket.entries != 0
    )
    recounted, kept = defaultdict(Counter), defaultdict(Counter)
    for challenge_id, is_kept, value, entries in db.session.execute(union_all(scores, buckets)):
        if is_kept:
            kept[challenge_id][int(value)] += entries
        else:
            recounted[challenge_id][histogram.bucket(value)] += entries
    found = []
    for challenge_id in sorted(recounted.keys() | kept.keys()):
        counts, expected = kept[challenge_id], recounted[challenge_id]
        for number in sorted(counts.keys() | expected.keys()):
            if counts[number] != expected[number]:
                what = f"score histogram of challenge {challenge_id}, {_bucket_range(number)}"
                found.append(Difference(what, "entries", counts[number], expected[number], challenge_id))
    return found


def _bucket_range(number: int) -> str:
    low, high = histogram.bounds(number)
    if low is None:
        return f"bucket {number} (scores below {high:.6g})"
    return f"bucket {number} (scores from {low:.6g})"


def repair_histograms(differences: list[Difference]) -> None:
    """Count the histograms of the challenges found afresh from their active enrollments."""
    challenge_ids = sorted({d.challenge_id for d in differences})
    hold_challenges(challenge_ids)
    for challenge_id in challenge_ids:
        histogram.rebuild(challenge_id)


# Season points ------------------------------------------------------------------------------------


def _first_checked_start() -> date:
    """Weeks and months starting on or after this day lost no submissions to retention."""
    return local_date(kept_since()) + timedelta(days=1)


def _start_of(period: Period, day):
    """SQL: the first day of the week (Monday) or month that the date `day` falls in."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc(period.value, day), Date)
    if period == Period.WEEK:
        return func.date(day, "weekday 0", "-6 days", type_=Date)
    return func.date(day, "start of month", type_=Date)


def _earned(period: Period, first: date):
    """Per resident and week or month from `first` on: the points their counted submissions are worth."""
    start = _start_of(period, Submission.day).label("start")
    return (
        select(Submission.user_id, start, func.sum(Submission.points).label("points"))
        .where(Submission.status == SubmissionStatus.ACCEPTED, Submission.points != 0, Submission.day >= first)
        .group_by(Submission.user_id, start)
        .subquery()
    )


def find_season_points() -> list[Difference]:
    """Residents' week and month points not worth what their submissions are, and all-time points not their months'."""
    first = _first_checked_start()
    found = []
    for period in CHECKED:
        earned = _earned(period, first)
        same_row = and_(SeasonPoints.user_id == earned.c.user_id, SeasonPoints.period_start == earned.c.start)
        recomputed = func.coalesce(earned.c.points, 0)
        wrong = db.session.execute(
            select(SeasonPoints.user_id, SeasonPoints.period_start, SeasonPoints.points, recomputed)
            .outerjoin(earned, same_row)
            .where(SeasonPoints.period == period, SeasonPoints.period_start >= first, SeasonPoints.points != recomputed)
        ).all()
        missing = db.session.execute(
            select(earned.c.user_id, earned.c.start, literal(0), earned.c.points)
            .outerjoin(SeasonPoints, and_(same_row, SeasonPoints.period == period))
            .where(SeasonPoints.id.is_(None), earned.c.start >= first)
        ).all()
        found += [_season_difference(period, *row) for row in wrong + missing]
    return found + _find_all_time()


def _find_all_time() -> list[Difference]:
    months = (
        select(SeasonPoints.user_id, func.sum(SeasonPoints.points).label("points"))
        .where(SeasonPoints.period == Period.MONTH)
        .group_by(SeasonPoints.user_id)
        .subquery()
    )
    all_time = aliased(SeasonPoints)
    of_all_time = and_(all_time.user_id == months.c.user_id, all_time.period == Period.ALL)
    recomputed = func.coalesce(months.c.points, 0)
    wrong = db.session.execute(
        select(all_time.user_id, all_time.period_start, all_time.points, recomputed)
        .outerjoin(months, months.c.user_id == all_time.user_id)
        .where(all_time.period == Period.ALL, all_time.points != recomputed)
    ).all()
    missing = db.session.execute(
        select(months.c.user_id, literal(ALL_TIME_START, Date), literal(0), months.c.points)
        .outerjoin(all_time, of_all_time)
        .where(all_time.id.is_(None), months.c.points != 0)
    ).all()
    return [_season_difference(Period.ALL, *row) for row in wrong + missing]


def _season_difference(period: Period, user_id: int, start, kept: int, recomputed: int) -> Difference:
    start = _as_date(start)
    when = "all time" if period == Period.ALL else f"the {period.value} from {start.isoformat()}"
    return Difference(f"season points of resident {user_id}, {when}", "points", kept, recomputed, user_id=user_id)


def repair_season_points(differences: list[Difference]) -> None:
    """Set the residents' week and month points from their submissions, then all time as the sum of the months."""
    user_ids = sorted({d.user_id for d in differences})
    lock_residents(user_ids)  # their season rows change only under their locks
    first = _first_checked_start()
    for start in range(0, len(user_ids), CHUNK):
        _recount_season_points(user_ids[start : start + CHUNK], first)


def _recount_season_points(user_ids: list[int], first: date) -> None:
    table = SeasonPoints.__table__
    for period in CHECKED:
        earned = _earned(period, first)
        rows = db.session.execute(
            select(earned.c.user_id, earned.c.start, earned.c.points).where(earned.c.user_id.in_(user_ids))
        ).all()
        db.session.execute(
            update(table)
            .where(table.c.user_id.in_(user_ids), table.c.period == period.value, table.c.period_start >= first)
            .values(points=0)
        )
        _set_points(period, [(user_id, _as_date(start), points) for user_id, start, points in rows])
    months = db.session.execute(
        select(SeasonPoints.user_id, func.sum(SeasonPoints.points))
        .where(SeasonPoints.user_id.in_(user_ids), SeasonPoints.period == Period.MONTH)
        .group_by(SeasonPoints.user_id)
    ).all()
    _set_points(Period.ALL, [(user_id, ALL_TIME_START, points) for user_id, points in months])


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _set_points(period: Period, rows: list[tuple[int, date, int]]) -> None:
    """Upsert these residents' points in `period`, a chunk of rows per statement (bind parameters are limited)."""
    table = SeasonPoints.__table__
    for start in range(0, len(rows), CHUNK):
        values = [{"user_id": user_id, "period": period.value, "period_start": when, "points": points}
                  for user_id, when, points in rows[start : start + CHUNK]]  # fmt: skip
        statement = dialect_insert(table).values(values)
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.user_id, table.c.period, table.c.period_start],
                set_={"points": statement.excluded.points},
            )
        )


# Season periods -----------------------------------------------------------------------------------


def _with_points():
    return (
        select(SeasonPoints.period, SeasonPoints.period_start, func.count().label("residents"))
        .where(SeasonPoints.points > 0)
        .group_by(SeasonPoints.period, SeasonPoints.period_start)
        .subquery()
    )


def find_season_periods() -> list[Difference]:
    """Periods whose head count is not the number of residents with points in them."""
    counted = _with_points()
    same_period = and_(counted.c.period == SeasonPeriod.period, counted.c.period_start == SeasonPeriod.period_start)
    recomputed = func.coalesce(counted.c.residents, 0)
    wrong = db.session.execute(
        select(SeasonPeriod.period, SeasonPeriod.period_start, SeasonPeriod.participants, recomputed)
        .outerjoin(counted, same_period)
        .where(SeasonPeriod.participants != recomputed)
    ).all()
    missing = db.session.execute(
        select(counted.c.period, counted.c.period_start, literal(0), counted.c.residents)
        .outerjoin(SeasonPeriod, same_period)
        .where(SeasonPeriod.id.is_(None))
    ).all()
    found = []
    for period, start, kept, recomputed_count in sorted(wrong + missing, key=lambda row: (str(row[0]), row[1])):
        period = Period(period)
        when = "all time" if period == Period.ALL else f"the {period.value} from {start.isoformat()}"
        what = f"season standings of {when}"
        found.append(Difference(what, "participants", kept, recomputed_count, key=(period, start)))
    return found


def repair_season_periods(differences: list[Difference]) -> None:
    """Count the residents with points in each period found afresh, its row locked while counting."""
    keys = sorted({d.key for d in differences})
    table = SeasonPeriod.__table__
    for period, start in keys:
        row = (table.c.period == period.value, table.c.period_start == start)
        db.session.execute(select(table.c.id).where(*row).with_for_update())  # concurrent adds wait, then add on
        count = db.session.scalar(
            select(func.count())
            .select_from(SeasonPoints)
            .where(SeasonPoints.period == period, SeasonPoints.period_start == start, SeasonPoints.points > 0)
        )
        statement = dialect_insert(table).values(period=period.value, period_start=start, participants=count)
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.period, table.c.period_start], set_={"participants": count}
            )
        )


# Season histograms --------------------------------------------------------------------------------


def find_season_histograms() -> list[Difference]:
    """Season buckets whose count is not the number of residents with points in them, in one statement."""
    points = (
        select(SeasonPoints.period, SeasonPoints.period_start, literal(0).label("kept"),
               cast(SeasonPoints.points, Float), func.count())
        .where(SeasonPoints.points > 0)
        .group_by(SeasonPoints.period, SeasonPoints.period_start, SeasonPoints.points)
    )  # fmt: skip
    buckets = select(
        SeasonBucket.period, SeasonBucket.period_start, literal(1), cast(SeasonBucket.bucket, Float),
        SeasonBucket.entries,
    ).where(SeasonBucket.entries != 0)  # fmt: skip
    recounted, kept = defaultdict(Counter), defaultdict(Counter)
    for period, start, is_kept, value, entries in db.session.execute(union_all(points, buckets)):
        key = (Period(period), _as_date(start))
        if is_kept:
            kept[key][int(value)] += entries
        else:
            recounted[key][histogram.bucket(value)] += entries
    found = []
    for key in sorted(recounted.keys() | kept.keys(), key=lambda k: (k[0].value, k[1])):
        counts, expected = kept[key], recounted[key]
        for number in sorted(counts.keys() | expected.keys()):
            if counts[number] != expected[number]:
                what = f"season histogram of the {key[0].value} from {key[1].isoformat()}, {_bucket_range(number)}"
                found.append(Difference(what, "entries", counts[number], expected[number], key=key))
    return found


def repair_season_histograms(differences: list[Difference]) -> None:
    """Count the histograms of the periods found afresh from the residents' season points."""
    for period, start in sorted({d.key for d in differences}, key=lambda k: (k[0].value, k[1])):
        histogram.season_rebuild(period, start)


CHECKS = (
    Check("score histograms", find_histograms, repair_histograms),
    Check("season points", find_season_points, repair_season_points),
    Check("season periods", find_season_periods, repair_season_periods),
    Check("season histograms", find_season_histograms, repair_season_histograms),
)
