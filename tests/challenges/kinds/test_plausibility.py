"""Plausibility that knows the domain: (near) zero use and use far from the household-size reference are held,
a car trip alone never replaces a car trip, and a day far beyond the resident's usual day is held."""

from datetime import date, time, timedelta

import pytest

from app.extensions import db
from challenges import errors, participation
from challenges.flags import FlagRule
from challenges.kinds.reading import submit_reading
from challenges.kinds.trip import submit_trip
from challenges.models import SubmissionStatus
from challenges.scoring import Category, Metric, Mode, low_use_limit
from rewards import ledger
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


# Meter readings ---------------------------------------------------------------------------------


def test_an_unchanged_meter_for_days_is_held_and_pays_nothing(make_challenge, make_user):
    """The issue's case: a meter unchanged over 6.7 days is held for review, not paid as the whole baseline saved."""
    challenge = make_challenge(points_per_unit=5.0)
    enrollment = participation.join(challenge, attached(make_user(household_size=2)), now=challenge.starts_at)
    start = challenge.starts_at
    submit_reading(enrollment, start + timedelta(hours=2), 5000.0, now=NOW)
    zero, _ = submit_reading(enrollment, start + timedelta(days=6.7, hours=2), 5000.0, now=NOW)
    assert zero.status == SubmissionStatus.FLAGGED and zero.flag_rule == FlagRule.KWH_LOW
    assert "0.0 kWh per day is less than the 1.7 kWh" in zero.flag_reason
    assert (zero.units, zero.points, enrollment.score, enrollment.points) == (0.0, 0, 0.0, 0)
    assert ledger.balance(enrollment.user_id) == 0


@pytest.mark.parametrize(("per_day", "held"), [(1.6, True), (1.8, False)])
def test_use_below_a_quarter_of_the_reference_is_held(make_challenge, make_user, per_day, held):
    """For two people the reference is 6.85 kWh a day: below a quarter of it (1.71) a reading is held."""
    challenge = make_challenge()
    enrollment = participation.join(challenge, attached(make_user(household_size=2)), now=challenge.starts_at)
    assert low_use_limit(2) == pytest.approx(1.7125)
    start = challenge.starts_at
    submit_reading(enrollment, start + timedelta(hours=1), 5000.0, now=NOW)
    reading, _ = submit_reading(enrollment, start + timedelta(days=4, hours=1), 5000.0 + 4 * per_day, now=NOW)
    assert (reading.status == SubmissionStatus.FLAGGED) is held
    assert (enrollment.score > 0) is not held


def test_use_far_above_the_households_range_is_held(make_challenge, make_user):
    """Below the challenge's 60 kWh limit, 20 kWh a day is still far above one person's range (3 x 4.38)."""
    challenge = make_challenge()
    enrollment = participation.join(challenge, attached(make_user(household_size=1)), now=challenge.starts_at)
    start = challenge.starts_at
    submit_reading(enrollment, start + timedelta(hours=1), 5000.0, now=NOW)
    reading, _ = submit_reading(enrollment, start + timedelta(days=2, hours=1), 5040.0, now=NOW)
    assert reading.status == SubmissionStatus.FLAGGED and reading.flag_rule == FlagRule.KWH_HIGH
    assert reading.flag_values == {"value": 20.0, "limit": 13.14}


def test_a_high_own_baseline_widens_the_range(make_challenge, make_user):
    """A household whose own readings before the start show 12 kWh a day (kept at twice the one-person
    reference, 8.76) may use 20 without being held, where the reference alone would hold it."""
    challenge = make_challenge()
    enrollment = participation.join(challenge, attached(make_user(household_size=1)), now=NOW - timedelta(days=30))
    start = challenge.starts_at
    submit_reading(enrollment, start - timedelta(days=20), 1000.0, now=start - timedelta(days=20))
    submit_reading(enrollment, start - timedelta(days=1), 1228.0, now=start - timedelta(days=1))
    assert enrollment.baseline_kwh_per_day == pytest.approx(2 * 4.38)
    reading, _ = submit_reading(enrollment, start + timedelta(days=1), 1268.0, now=NOW)
    assert reading.status == SubmissionStatus.ACCEPTED


def test_short_intervals_cannot_hide_zero_use(make_challenge, make_user):
    """Use is judged over at least a day: the second of two unchanged readings 20 hours apart is held."""
    challenge = make_challenge()
    enrollment = participation.join(challenge, attached(make_user(household_size=1)), now=challenge.starts_at)
    start = challenge.starts_at
    submit_reading(enrollment, start + timedelta(hours=1), 5000.0, now=NOW)
    first, _ = submit_reading(enrollment, start + timedelta(hours=21), 5000.0, now=NOW)
    second, _ = submit_reading(enrollment, start + timedelta(hours=41), 5000.0, now=NOW)
    assert first.status == SubmissionStatus.ACCEPTED  # less than a day: nothing to judge yet
    assert second.status == SubmissionStatus.FLAGGED and second.flag_rule == FlagRule.KWH_LOW


# Trips ------------------------------------------------------------------------------------------


@pytest.fixture
def trips(make_challenge):
    return make_challenge(Category.MOBILITY, metric=Metric.CAR_KM_AVOIDED, points_per_unit=1.0)


def test_a_car_trip_alone_never_replaces_a_car_trip(trips, make_user):
    """ "By car, alone" with "replaced a car trip" is refused; a shared car ride may replace one."""
    enrollment = participation.join(trips, attached(make_user()), now=NOW)
    with pytest.raises(errors.SubmissionRefused) as caught:
        submit_trip(enrollment, date(2026, 3, 2), Mode.CAR, 12.0, True, now=NOW)
    assert (caught.value.rule, caught.value.field) == ("car_alone", "replaced_car")
    shared, _ = submit_trip(enrollment, date(2026, 3, 2), Mode.CARPOOL, 12.0, True, now=NOW)
    alone, _ = submit_trip(enrollment, date(2026, 3, 2), Mode.CAR, 12.0, False, now=NOW)
    assert (shared.units, alone.units) == (12.0, 0.0)


def usual_days(enrollment, first: date, days: int = 5) -> None:
    """`days` days from `first`, each with two 5 km bike trips: a usual day of 2 trips and 10 km."""
    for offset in range(days):
        for departure in (time(7, 30), time(17, 30)):
            submit_trip(enrollment, first + timedelta(days=offset), Mode.BIKE, 5.0, True, trip_time=departure, now=NOW)


def test_a_day_with_far_more_trips_than_usual_is_held(trips, make_user):
    """With five usual days of two trips, a day's seventh trip (more than 3 x 2) is held; the sixth is not."""
    enrollment = participation.join(trips, attached(make_user()), now=NOW)
    usual_days(enrollment, date(2026, 2, 26))
    day = date(2026, 3, 3)
    sent = [submit_trip(enrollment, day, Mode.WALK, 1.0, True, trip_time=time(8, i), now=NOW)[0] for i in range(7)]
    assert [trip.status for trip in sent].count(SubmissionStatus.ACCEPTED) == 6
    assert sent[-1].status == SubmissionStatus.FLAGGED and sent[-1].flag_rule == FlagRule.TRIPS_UNUSUAL
    assert sent[-1].flag_values == {"value": 7, "limit": 6}


def test_a_day_with_far_more_km_than_usual_is_held(trips, make_user):
    """With a usual day of 10 km, a day of 35 km (more than 3 x 10) is held although below the challenge's 150 km."""
    enrollment = participation.join(trips, attached(make_user()), now=NOW)
    usual_days(enrollment, date(2026, 2, 26))
    trip, _ = submit_trip(enrollment, date(2026, 3, 3), Mode.BIKE, 35.0, True, now=NOW)
    assert trip.status == SubmissionStatus.FLAGGED and trip.flag_rule == FlagRule.KM_UNUSUAL
    assert "35 km in one day are far more than your usual day (30 km at most)" in trip.flag_reason


def test_without_five_usual_days_only_the_challenges_limit_applies(trips, make_user):
    """Four days are not yet a usual day: a 35 km day counts."""
    enrollment = participation.join(trips, attached(make_user()), now=NOW)
    usual_days(enrollment, date(2026, 2, 26), days=4)
    trip, _ = submit_trip(enrollment, date(2026, 3, 3), Mode.BIKE, 35.0, True, now=NOW)
    assert trip.status == SubmissionStatus.ACCEPTED
