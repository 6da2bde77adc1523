"""Submitting readings and trips: plausibility, scoring, flags, idempotency and review."""

from datetime import date, time, timedelta

import pytest
from flask_babel import force_locale

from app.extensions import db
from challenges import errors, participation, submissions
from challenges.models import SubmissionStatus
from challenges.scoring import Category, Metric, Mode
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


def test_readings_before_the_start_set_the_baseline_and_savings_score(make_challenge, make_user):
    """Readings before the start give the baseline; saving against it earns units and points."""
    challenge = make_challenge(starts_at=NOW - timedelta(days=7), points_per_unit=2.0)
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    start = challenge.starts_at
    submissions.submit_reading(enrollment, start - timedelta(days=10), 1000.0, now=NOW)
    submissions.submit_reading(enrollment, start - timedelta(days=1), 1090.0, now=NOW)
    assert enrollment.baseline_source == "readings" and enrollment.baseline_kwh_per_day == pytest.approx(10.0)
    # Six days later (five inside the challenge): 48 kWh used where the baseline expects 60.
    reading, created = submissions.submit_reading(enrollment, start + timedelta(days=5), 1138.0, now=NOW)
    assert created and reading.status == SubmissionStatus.ACCEPTED
    assert reading.consumed_kwh == pytest.approx(48.0)
    # 5/6 of the interval is inside: baseline 50 kWh, used 40 kWh, saved 10 kWh.
    assert reading.units == pytest.approx(10.0)
    assert reading.points == 20 and enrollment.score == pytest.approx(10.0) and enrollment.points == 20


@pytest.mark.parametrize(
    ("offset", "kwh", "rule"),
    [
        (timedelta(days=1), 1500.0, "future"),
        (timedelta(days=-1), 1000.0, "duplicate"),
        (timedelta(days=-2), 1200.0, "order"),
        (timedelta(hours=-1), 900.0, "falling"),
        (timedelta(days=-500), 100.0, "outside"),
    ],
)
def test_implausible_readings_are_refused_naming_the_rule(make_challenge, make_user, offset, kwh, rule):
    """Future, duplicate, out-of-order, falling and far-too-early readings are refused and not stored."""
    enrollment = participation.join(make_challenge(), attached(make_user()), now=NOW)
    submissions.submit_reading(enrollment, NOW - timedelta(days=1), 1000.0, now=NOW)
    with pytest.raises(errors.SubmissionRefused) as caught:
        submissions.submit_reading(enrollment, NOW + offset, kwh, now=NOW)
    assert caught.value.rule == rule


def test_implausible_consumption_is_flagged_not_counted(make_challenge, make_user):
    """More than the daily limit is flagged for review and scores nothing until approved."""
    challenge = make_challenge(max_kwh_per_day=30.0)
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    submissions.submit_reading(enrollment, NOW - timedelta(days=3), 1000.0, now=NOW)
    reading, _ = submissions.submit_reading(enrollment, NOW - timedelta(days=2), 1100.0, now=NOW)
    assert reading.status == SubmissionStatus.FLAGGED and "100.0 kWh" in reading.flag_reason
    assert enrollment.score == 0
    assert submissions.flagged_submissions(challenge.id) == [reading]


def test_a_flag_is_worded_in_each_readers_language(make_challenge, make_user):
    """A flag keeps its rule and numbers; English and German readers each see their own words and decimals."""
    challenge = make_challenge(max_kwh_per_day=30.0)
    enrollment = participation.join(challenge, attached(make_user(language="de")), now=NOW)
    submissions.submit_reading(enrollment, NOW - timedelta(days=3), 1000.0, now=NOW)
    reading, _ = submissions.submit_reading(enrollment, NOW - timedelta(days=2), 1100.25, now=NOW)
    assert (reading.flag_rule, reading.flag_values) == ("kwh_per_day", {"value": 100.25, "limit": 30.0})
    with force_locale("en"):
        assert reading.flag_reason.startswith("100.2 kWh per day is more than the 30 kWh this challenge expects")
    with force_locale("de"):
        assert reading.flag_reason.startswith("100,2 kWh pro Tag sind mehr als die 30 kWh")
    trip_challenge = make_challenge(Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS, max_km_per_day=50.0)
    traveller = participation.join(trip_challenge, attached(make_user()), now=NOW)
    trip, _ = submissions.submit_trip(traveller, date(2026, 3, 1), Mode.BIKE, 1234.0 / 2, True, now=NOW)
    with force_locale("de"):
        assert trip.flag_reason.startswith("617 km an einem Tag sind mehr als die 50 km")
    accepted, _ = submissions.submit_trip(traveller, date(2026, 3, 2), Mode.BIKE, 5.0, True, now=NOW)
    assert accepted.flag_reason is None


def test_idempotency_key_returns_the_first_result(make_challenge, make_user):
    """The same key twice stores one submission and returns the first."""
    enrollment = participation.join(make_challenge(), attached(make_user()), now=NOW)
    first, created = submissions.submit_reading(
        enrollment, NOW - timedelta(days=1), 1000.0, idempotency_key="k1", now=NOW
    )
    again, created_again = submissions.submit_reading(enrollment, NOW, 2000.0, idempotency_key="k1", now=NOW)
    assert created and not created_again and again.id == first.id and again.meter_kwh == 1000.0


def test_trips_score_with_daily_cap(make_challenge, make_user):
    """Car-free km count; the daily cap stops points, not the km counted."""
    challenge = make_challenge(
        category=Category.MOBILITY, metric=Metric.CAR_KM_AVOIDED, points_per_unit=10.0, daily_point_cap=100
    )
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    day = date(2026, 3, 3)
    first, _ = submissions.submit_trip(enrollment, day, Mode.BIKE, 6.0, True, now=NOW)
    second, _ = submissions.submit_trip(enrollment, day, Mode.PUBLIC_TRANSPORT, 8.0, True, now=NOW)
    car, _ = submissions.submit_trip(enrollment, day, Mode.CAR, 5.0, False, now=NOW)
    assert (first.points, second.points, car.points) == (60, 40, 0)
    assert enrollment.score == pytest.approx(14.0) and enrollment.points == 100


def test_identical_trips_need_a_time(make_challenge, make_user):
    """An exact duplicate is refused; the same trip with a departure time is a second trip."""
    challenge = make_challenge(category=Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS)
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    day = date(2026, 3, 2)
    submissions.submit_trip(enrollment, day, Mode.BIKE, 4.0, True, now=NOW)
    with pytest.raises(errors.SubmissionRefused) as caught:
        submissions.submit_trip(enrollment, day, Mode.BIKE, 4.0, True, now=NOW)
    assert caught.value.rule == "duplicate"
    submissions.submit_trip(enrollment, day, Mode.BIKE, 4.0, True, trip_time=time(17, 30), now=NOW)
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
        submissions.submit_trip(enrollment, day, Mode.BIKE, km, True, now=NOW)
    assert caught.value.rule == rule


def test_review_approve_and_reject(make_challenge, make_user, manager):
    """Approving a flagged trip counts it; rejecting needs a reason and reverses what counted."""
    challenge = make_challenge(category=Category.MOBILITY, max_km_per_day=50.0)
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    long_trip, _ = submissions.submit_trip(enrollment, date(2026, 3, 1), Mode.PUBLIC_TRANSPORT, 80.0, True, now=NOW)
    normal, _ = submissions.submit_trip(enrollment, date(2026, 3, 2), Mode.BIKE, 5.0, True, now=NOW)
    reviewer = attached(manager)
    assert long_trip.status == SubmissionStatus.FLAGGED and enrollment.score == 5.0
    submissions.review(long_trip, reviewer, approve=True)
    assert enrollment.score == 85.0 and long_trip.reviewed_by_id == manager.id
    with pytest.raises(errors.SubmissionRefused):
        submissions.review(normal, reviewer, approve=False, reason="  ")
    submissions.review(normal, reviewer, approve=False, reason="Same trip entered by your partner.")
    assert normal.status == SubmissionStatus.REJECTED and enrollment.score == 80.0
    assert challenge.total_units == 80.0
    with pytest.raises(errors.WrongStatus):
        submissions.review(normal, reviewer, approve=True)


def test_rejecting_a_reading_rescores_the_next(make_challenge, make_user, manager):
    """When a reading is rejected, the next reading's consumption is measured from the one before."""
    challenge = make_challenge(points_per_unit=1.0)
    enrollment = participation.join(challenge, attached(make_user(household_size=1)), now=NOW)
    baseline = enrollment.baseline_kwh_per_day
    start = challenge.starts_at
    submissions.submit_reading(enrollment, start + timedelta(days=1), 1000.0, now=NOW)
    wrong, _ = submissions.submit_reading(enrollment, start + timedelta(days=2), 1001.0, now=NOW)
    last, _ = submissions.submit_reading(enrollment, start + timedelta(days=3), 1004.0, now=NOW)
    submissions.review(wrong, attached(manager), approve=False, reason="Typo")
    assert last.consumed_kwh == pytest.approx(4.0)
    assert enrollment.score == pytest.approx(max(0.0, 2 * baseline - 4.0))


def test_submissions_keep_what_they_saved_while_they_count(make_challenge, make_user, manager):
    """Each counted trip keeps its car-km and CO2 saved and its neighbourhood; flagged or rejected ones keep none."""
    challenge = make_challenge(category=Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS, max_km_per_day=50.0)
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    bike, _ = submissions.submit_trip(enrollment, date(2026, 3, 1), Mode.BIKE, 5.0, True, now=NOW)
    bus, _ = submissions.submit_trip(enrollment, date(2026, 3, 1), Mode.PUBLIC_TRANSPORT, 10.0, True, now=NOW)
    walk, _ = submissions.submit_trip(enrollment, date(2026, 3, 2), Mode.WALK, 2.0, False, now=NOW)
    car, _ = submissions.submit_trip(enrollment, date(2026, 3, 2), Mode.CAR, 7.0, True, now=NOW)
    long_trip, _ = submissions.submit_trip(enrollment, date(2026, 3, 3), Mode.BIKE, 60.0, True, now=NOW)
    saved = lambda s: (s.car_km_avoided, s.co2_kg_avoided, s.kwh_saved)  # noqa: E731
    assert saved(bike) == pytest.approx((5.0, 5.0 * 0.166, 0.0))
    assert saved(bus) == pytest.approx((10.0, 10.0 * (0.166 - 0.070), 0.0))
    assert saved(walk) == saved(car) == saved(long_trip) == (0.0, 0.0, 0.0)  # not replacing a car; a car; flagged
    assert {s.neighbourhood_id for s in (bike, bus, walk, car, long_trip)} == {enrollment.neighbourhood_id}
    submissions.review(long_trip, attached(manager), approve=True)
    assert saved(long_trip) == pytest.approx((60.0, 60.0 * 0.166, 0.0))
    submissions.review(bike, attached(manager), approve=False, reason="Twice.")
    assert saved(bike) == (0.0, 0.0, 0.0)


def test_readings_keep_the_kwh_they_saved_whatever_the_metric(make_challenge, make_user, manager):
    """A CO2 challenge scores kg, but its readings keep the kWh saved (and the CO2), also after a rescoring."""
    challenge = make_challenge(metric=Metric.CO2_KG_AVOIDED, points_per_unit=1.0)
    enrollment = participation.join(challenge, attached(make_user(household_size=1)), now=NOW)
    baseline = enrollment.baseline_kwh_per_day
    start = challenge.starts_at
    submissions.submit_reading(enrollment, start + timedelta(days=1), 1000.0, now=NOW)
    wrong, _ = submissions.submit_reading(enrollment, start + timedelta(days=2), 1000.5, now=NOW)
    last, _ = submissions.submit_reading(enrollment, start + timedelta(days=3), 1001.0, now=NOW)
    assert last.kwh_saved == pytest.approx(baseline - 0.5)
    assert last.co2_kg_avoided == pytest.approx(last.units) == pytest.approx((baseline - 0.5) * 0.38)
    submissions.review(wrong, attached(manager), approve=False, reason="Typo")
    assert wrong.kwh_saved == wrong.co2_kg_avoided == 0.0
    assert last.kwh_saved == pytest.approx(2 * baseline - 1.0)
