"""Caps bind the ranking too: the daily point cap limits what counts for the score as it limits the points."""

from datetime import date, timedelta

import pytest

from app.extensions import db
from challenges import participation, submissions
from challenges.kinds.reading import submit_reading
from challenges.kinds.trip import submit_trip
from challenges.models import SubmissionStatus
from challenges.scoring import Category, Format, Metric, Mode
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")
DAY = date(2026, 3, 3)


def attached(obj):
    return db.session.merge(obj)


@pytest.fixture
def capped(make_challenge):
    """Car-km avoided, 1 point a km, at most 50 points a day; a day over 150 km is held for review."""
    return make_challenge(
        Category.MOBILITY, metric=Metric.CAR_KM_AVOIDED, format=Format.NEIGHBOURHOOD, points_per_unit=1.0,
        daily_point_cap=50, max_km_per_day=150.0,
    )  # fmt: skip


def test_an_approved_200_km_trip_does_not_lift_the_score_past_the_cap(capped, make_user, manager):
    """The issue's case: 3 km, then 200 km approved after review; the day counts 50 km, not 203."""
    enrollment = participation.join(capped, attached(make_user()), now=NOW)
    submit_trip(enrollment, DAY, Mode.BIKE, 3.0, True, now=NOW)
    long_trip, _ = submit_trip(enrollment, DAY, Mode.PUBLIC_TRANSPORT, 200.0, True, now=NOW)
    assert long_trip.status == SubmissionStatus.FLAGGED and enrollment.score == 3.0
    submissions.review(long_trip, attached(manager), approve=True)
    assert (long_trip.units, long_trip.points) == (47.0, 47)
    assert (enrollment.score, enrollment.points) == (50.0, 50)
    assert capped.total_units == 50.0
    assert long_trip.car_km_avoided == 200.0  # what it saved, for the statistics, is the whole trip


def test_an_approved_trip_sent_earlier_keeps_its_place_under_the_cap(capped, make_user, manager):
    """A trip held first and approved later counts in the order sent: later trips of its day give way."""
    enrollment = participation.join(capped, attached(make_user()), now=NOW)
    held, _ = submit_trip(enrollment, DAY, Mode.BIKE, 160.0, True, now=NOW)
    later, _ = submit_trip(enrollment, DAY, Mode.BIKE, 30.0, True, trip_time=None, now=NOW)
    assert (later.units, enrollment.score) == (0.0, 0.0)  # held for review too: the day is over 150 km
    submissions.review(later, attached(manager), approve=True)
    assert (later.units, enrollment.score) == (30.0, 30.0)
    submissions.review(held, attached(manager), approve=True)
    assert (held.units, later.units) == (50.0, 0.0)
    assert (enrollment.score, enrollment.points) == (50.0, 50)


def test_withdrawing_a_trip_frees_the_days_cap_for_the_others(capped, make_user):
    """When a trip stops counting, the day's other trips share the cap anew."""
    resident = attached(make_user())
    enrollment = participation.join(capped, resident, now=NOW)
    first, _ = submit_trip(enrollment, DAY, Mode.BIKE, 40.0, True, now=NOW - timedelta(days=1))
    second, _ = submit_trip(enrollment, DAY, Mode.BIKE, 30.0, True, now=NOW)
    assert (first.units, second.units, enrollment.score) == (40.0, 10.0, 50.0)
    submissions.withdraw(first, resident, "That was my neighbour's.", now=NOW - timedelta(days=1))
    assert (second.units, second.points, enrollment.score, enrollment.points) == (30.0, 30, 30.0, 30)


def test_the_cap_binds_what_a_reading_counts_for(make_challenge, make_user):
    """At 10 points a kWh and 20 points a day, a reading over two days counts at most 4 kWh."""
    challenge = make_challenge(points_per_unit=10.0, daily_point_cap=20, format=Format.NEIGHBOURHOOD)
    enrollment = participation.join(challenge, attached(make_user(household_size=5)), now=challenge.starts_at)
    start = challenge.starts_at
    submit_reading(enrollment, start + timedelta(days=1), 1000.0, now=NOW)
    reading, _ = submit_reading(enrollment, start + timedelta(days=3), 1014.0, now=NOW)  # 7 a day against 11.23
    assert (reading.units, reading.points) == (pytest.approx(4.0), 40)
    assert enrollment.score == pytest.approx(4.0)
