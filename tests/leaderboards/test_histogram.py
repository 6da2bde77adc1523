"""The score histogram: buckets keep the order of scores; joins, leaves and scoring keep it equal to a recount."""

import itertools
import math
from collections import Counter
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, true, update

from app.extensions import db
from challenges import participation, totals
from challenges.models import Enrollment
from leaderboards import histogram, reconcile, services
from leaderboards.models import Period, SeasonBucket, SeasonPoints
from tests.challenges.conftest import NOW
from tests.leaderboards.conftest import add_residents

FINITE = st.floats(allow_nan=False, allow_infinity=False)
PROPERTY = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@given(score=FINITE)
def test_a_score_lies_within_its_buckets_bounds(score):
    """Every finite score, negatives and the tiniest included, lies in [low, high) of its bucket."""
    low, high = histogram.bounds(histogram.bucket(score))
    assert low is None or low <= score
    assert high is None or score < high


@given(scores=st.lists(FINITE, min_size=2, max_size=2))
def test_a_higher_score_never_has_a_lower_bucket(scores):
    """Buckets keep the order of scores, so the buckets above a score hold only higher scores."""
    low, high = sorted(scores)
    assert histogram.bucket(low) <= histogram.bucket(high)


def test_buckets_are_narrow_and_few():
    """Whole numbers below 64 get a bucket each; 1 to 4,096 spread over some 400 buckets, none wider than 1/32."""
    assert len({histogram.bucket(n) for n in range(64)}) == 64
    assert histogram.bucket(4096.0) - histogram.bucket(1.0) == 12 * 32
    for number in range(histogram.bucket(1.0), histogram.bucket(4096.0)):
        low, high = histogram.bounds(number)
        assert (high - low) / low <= 1 / 32


def _plain_counts(challenge_id: int) -> tuple[list[float], dict[int, int]]:
    """The active scores, and their buckets counted by a plain GROUP BY over every enrollment."""
    where = (Enrollment.challenge_id == challenge_id, Enrollment.active == true())
    scores = list(db.session.scalars(select(Enrollment.score).where(*where)))
    grouped = db.session.execute(select(Enrollment.score, func.count()).where(*where).group_by(Enrollment.score))
    counts = Counter()
    for score, entries in grouped:
        counts[histogram.bucket(score)] += entries
    return scores, dict(counts)


UNITS = st.one_of(st.sampled_from([1.0, 2.5, -1.0, 0.1, -0.1, 30.0]), st.floats(-1e4, 1e6, allow_nan=False))
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("join"), st.integers(0, 4)),
        st.tuples(st.just("leave"), st.integers(0, 4)),
        st.tuples(st.just("score"), st.integers(0, 4), UNITS),
    ),
    max_size=25,
)


@given(steps=STEPS)
@PROPERTY
def test_joins_leaves_and_scores_keep_the_histogram_equal_to_a_recount(ctx, field_challenge, steps):
    """After any joins, leaves, rejoins and score changes (left residents' too), the kept buckets equal a recount,
    and the tally of every score equals plain counts of higher and equal scores."""
    challenge = field_challenge()
    residents = add_residents(5)
    for action, who, *units in steps:
        if action == "join":
            participation.join(challenge, residents[who], now=NOW)
        elif action == "leave":
            participation.leave(challenge, residents[who], now=NOW)
        elif enrollment := participation.find_enrollment(challenge, residents[who]):
            totals.add_units(enrollment, units[0], 0)
    db.session.flush()
    scores, counts = _plain_counts(challenge.id)
    assert histogram.stored(challenge.id) == counts
    for score in [*scores, 0.0, -0.5, math.nextafter(0.0, 1.0), 1.0, 7.5, 1e9]:
        higher = sum(1 for other in scores if other > score)
        assert histogram.tally(challenge.id, score) == (higher, scores.count(score))


def test_rebuild_counts_what_was_written_around_the_services(ctx, field_challenge):
    """A recount replaces whatever the histogram held, and leaves out those who left."""
    challenge = field_challenge()
    residents = add_residents(3)
    for resident in residents:
        participation.join(challenge, resident, now=NOW)
    participation.leave(challenge, residents[0], now=NOW)
    db.session.execute(Enrollment.__table__.update().where(Enrollment.challenge_id == challenge.id).values(score=3.0))
    histogram.rebuild(challenge.id)
    assert histogram.stored(challenge.id) == {histogram.bucket(3.0): 2}


# The season board's histograms ------------------------------------------------------------------

_season_weeks = itertools.count()
SEASON_STEPS = st.lists(st.tuples(st.integers(0, 4), st.integers(-40, 90).filter(bool)), max_size=25)


def _season_stored(period: Period, start: date) -> dict[int, int]:
    rows = db.session.execute(
        select(SeasonBucket.bucket, SeasonBucket.entries).where(
            SeasonBucket.period == period, SeasonBucket.period_start == start, SeasonBucket.entries != 0
        )
    )
    return dict(rows.all())


@given(steps=SEASON_STEPS)
@PROPERTY
def test_season_points_coming_and_going_keep_the_season_histograms_equal_to_a_recount(ctx, steps):
    """Credits and take-backs (down to none, and below) leave each period's buckets equal to a recount, and
    the season board's tally equal to counting the points themselves."""
    day = date(2002, 1, 2) + timedelta(weeks=next(_season_weeks))  # a week and month of its own
    residents = add_residents(5)
    for who, points in steps:
        services.add_season_points(residents[who].id, day, points)
    db.session.flush()
    for period in (Period.WEEK, Period.MONTH):
        start = services.period_start(period, day)
        assert _season_stored(period, start) == histogram.season_recount(period, start)
        rows = (SeasonPoints.period == period, SeasonPoints.period_start == start)
        for points in db.session.scalars(select(SeasonPoints.points).where(*rows, SeasonPoints.points > 0)):
            higher = db.session.scalar(select(func.count()).where(*rows, SeasonPoints.points > points))
            tied = db.session.scalar(select(func.count()).where(*rows, SeasonPoints.points == points))
            assert histogram.season_tally(period, start, points) == (higher, tied)
    assert reconcile.find_season_histograms() == []


def test_the_scores_check_finds_and_repairs_a_season_histogram(ctx):
    """A bucket written around the services is reported, and `--fix` counts the period afresh."""
    day = date(2003, 5, 7)
    (resident,) = add_residents(1)
    services.add_season_points(resident.id, day, 12)
    start = services.period_start(Period.WEEK, day)
    db.session.execute(
        update(SeasonBucket).where(SeasonBucket.period == Period.WEEK, SeasonBucket.period_start == start)
        .values(entries=SeasonBucket.entries + 2)
    )  # fmt: skip
    found = reconcile.find_season_histograms()
    assert [(d.key, d.kept, d.recomputed) for d in found] == [((Period.WEEK, start), 3, 1)]
    reconcile.repair_season_histograms(found)
    assert reconcile.find_season_histograms() == []
    assert _season_stored(Period.WEEK, start) == {histogram.bucket(12): 1}
