"""Trips: plausibility, the daily cap, duplicates, and what they saved."""

from datetime import date, time

import pytest

from app.extensions import db
from challenges import errors, participation, submissions
from challenges.kinds.trip import submit_trip
from challenges.scoring import Category, Metric, Mode
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


def test_trips_score_with_daily_cap(make_challenge, make_user):
    """Car-free km count; the daily cap stops the km counted as it stops the points."""
    challenge = make_challenge(
        category=Category.MOBILITY, metric=Metric.CAR_KM_AVOIDED, points_per_unit=10.0, daily_point_cap=100
    )
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    day = date(2026, 3, 3)
    first, _ = submit_trip(enrollment, day, Mode.BIKE, 6.0, True, now=NOW)
    second, _ = submit_trip(enrollment, day, Mode.PUBLIC_TRANSPORT, 8.0, True, now=NOW)
    car, _ = submit_trip(enrollment, day, Mode.CAR, 5.0, False, now=NOW)
    assert (first.points, second.points, car.points) == (60, 40, 0)
    assert (first.units, second.units, car.units) == (6.0, 4.0, 0.0)
    assert enrollment.score == pytest.approx(10.0) and enrollment.points == 100


def test_identical_trips_need_a_time(make_challenge, make_user):
    """An exact duplicate is refused; the same trip with a departure time is a second trip."""
    challenge = make_challenge(category=Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS)
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    day = date(2026, 3, 2)
    submit_trip(enrollment, day, Mode.BIKE, 4.0, True, now=NOW)
    with pytest.raises(errors.SubmissionRefused) as caught:
        submit_trip(enrollment, day, Mode.BIKE, 4.0, True, now=NOW)
    assert caught.value.rule == "duplicate"
    submit_trip(enrollment, day, Mode.BIKE, 4.0, True, trip_time=time(17, 30), now=NOW)
    assert enrollment.score == 2.0


@pytest.mark.parametrize(
    ("day", "km", "rule"),
    [
        (date(2026, 3, 5), 3.0, "future"),
        (date(2026, 2, 20), 3.0, "outside"),
        (date(2026, 3, 2), 0.0, "range"),
        (date(2026, 3, 2), 5000.0, "range"),
    ],
)
def test_implausible_trips_are_refused(make_challenge, make_user, day, km, rule):
    """Trips in the future, outside the challenge or with impossible distances are refused."""
    challenge = make_challenge(category=Category.MOBILITY)
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    with pytest.raises(errors.SubmissionRefused) as caught:
        submit_trip(enrollment, day, Mode.BIKE, km, True, now=NOW)
    assert caught.value.rule == rule


def test_submissions_keep_what_they_saved_while_they_count(make_challenge, make_user, manager):
    """Each counted trip keeps its car-km and CO2 saved and its neighbourhood; flagged or rejected ones keep none."""
    challenge = make_challenge(category=Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS, max_km_per_day=50.0)
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    bike, _ = submit_trip(enrollment, date(2026, 3, 1), Mode.BIKE, 5.0, True, now=NOW)
    bus, _ = submit_trip(enrollment, date(2026, 3, 1), Mode.PUBLIC_TRANSPORT, 10.0, True, now=NOW)
    walk, _ = submit_trip(enrollment, date(2026, 3, 2), Mode.WALK, 2.0, False, now=NOW)
    car, _ = submit_trip(enrollment, date(2026, 3, 2), Mode.CAR, 7.0, False, now=NOW)
    long_trip, _ = submit_trip(enrollment, date(2026, 3, 3), Mode.BIKE, 60.0, True, now=NOW)
    saved = lambda s: (s.car_km_avoided, s.co2_kg_avoided, s.kwh_saved)  # noqa: E731
    assert saved(bike) == pytest.approx((5.0, 5.0 * 0.166, 0.0))
    assert saved(bus) == pytest.approx((10.0, 10.0 * (0.166 - 0.070), 0.0))
    assert saved(walk) == saved(car) == saved(long_trip) == (0.0, 0.0, 0.0)  # not replacing a car; a car; flagged
    assert {s.neighbourhood_id for s in (bike, bus, walk, car, long_trip)} == {enrollment.neighbourhood_id}
    submissions.review(long_trip, attached(manager), approve=True)
    assert saved(long_trip) == pytest.approx((60.0, 60.0 * 0.166, 0.0))
    submissions.review(bike, attached(manager), approve=False, reason="Twice.")
    assert saved(bike) == (0.0, 0.0, 0.0)
