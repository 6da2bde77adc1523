"""Dates and status bind every path: nothing dated before the start, or sent before the challenge runs, counts;
and each challenge takes only its own kind. The rules live in the kinds' shared base, so the page, the API,
the desk and the CSV upload (and any later connector) all meet them."""

from datetime import date, time, timedelta

import pytest

from app.extensions import db
from challenges import errors, imports, lifecycle, participation
from challenges.kinds.reading import METER_READING, submit_reading
from challenges.kinds.trip import TRIP, submit_trip
from challenges.models import Status, SubmissionStatus
from challenges.scoring import Category, Metric, Mode
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")
TODAY = date(2026, 3, 4)  # NOW's day in the city


def attached(obj):
    return db.session.merge(obj)


@pytest.fixture
def starts_later_today(make_challenge):
    """A mobility challenge published at NOW (13:00 in the city) that starts at 15:00 the same day."""
    starts_at, ends_at = NOW + timedelta(hours=2), NOW + timedelta(days=14)
    return make_challenge(Category.MOBILITY, metric=Metric.CAR_KM_AVOIDED, starts_at=starts_at, ends_at=ends_at)


def test_a_trip_on_the_start_day_is_refused_while_the_challenge_is_scheduled(starts_later_today, make_user):
    """The start day is a day of the challenge, but a trip on it is not taken before the challenge runs."""
    assert starts_later_today.status == Status.SCHEDULED
    enrollment = participation.join(starts_later_today, attached(make_user()), now=NOW)
    with pytest.raises(errors.SubmissionRefused) as caught:
        submit_trip(enrollment, TODAY, Mode.BIKE, 5.0, True, now=NOW)
    assert (caught.value.rule, caught.value.field) == ("not_started", "day")
    assert enrollment.score == 0 and enrollment.points == 0


def test_once_it_runs_the_start_day_counts_but_not_a_departure_before_the_start(starts_later_today, make_user):
    """After the start a trip that day counts; one that left before the start time does not."""
    enrollment = participation.join(starts_later_today, attached(make_user()), now=NOW)
    later = NOW + timedelta(hours=3)
    lifecycle.advance_lifecycle(later)
    assert starts_later_today.status == Status.ACTIVE
    with pytest.raises(errors.SubmissionRefused) as caught:
        submit_trip(enrollment, TODAY, Mode.BIKE, 5.0, True, trip_time=time(7, 30), now=later)
    assert (caught.value.rule, caught.value.field) == ("outside", "day")
    trip, created = submit_trip(enrollment, TODAY, Mode.BIKE, 5.0, True, trip_time=time(16, 30), now=later)
    assert created and trip.status == SubmissionStatus.ACCEPTED and trip.units == 5.0


def test_the_start_time_is_checked_by_the_clock_not_only_the_status(starts_later_today, make_user):
    """Even a challenge already marked active takes nothing from its start on before that start has come."""
    enrollment = participation.join(starts_later_today, attached(make_user()), now=NOW)
    starts_later_today.status = Status.ACTIVE  # as if started early by hand
    with pytest.raises(errors.SubmissionRefused) as caught:
        submit_trip(enrollment, TODAY, Mode.BIKE, 5.0, True, now=NOW)
    assert caught.value.rule == "not_started"


def test_readings_before_the_start_are_taken_but_none_after_it_until_it_runs(make_challenge, make_user):
    """A scheduled energy challenge takes readings from before its start (the baseline), none dated after it."""
    challenge = make_challenge(starts_at=NOW + timedelta(hours=2), ends_at=NOW + timedelta(days=14))
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    reading, created = submit_reading(enrollment, NOW - timedelta(days=1), 1000.0, now=NOW)
    assert created and reading.status == SubmissionStatus.ACCEPTED
    with pytest.raises(errors.SubmissionRefused) as caught:
        # Within the allowed clock skew, so not "in the future", yet after the start.
        submit_reading(enrollment, challenge.starts_at + timedelta(minutes=1), 1010.0, now=challenge.starts_at)
    assert (caught.value.rule, caught.value.field) == ("not_started", "read_at")


@pytest.mark.parametrize(
    ("category", "kind", "values"),
    [
        (Category.MOBILITY, METER_READING, {"read_at": NOW - timedelta(hours=1), "meter_kwh": 1000.0}),
        (Category.ENERGY, TRIP, {"day": TODAY, "mode": Mode.BIKE, "distance_km": 5.0, "replaced_car": True}),
    ],
)
def test_a_challenge_takes_only_its_own_kind(make_challenge, make_user, category, kind, values):
    """A reading sent to a mobility challenge, or a trip to an energy one, is refused and stores nothing."""
    challenge = make_challenge(category)
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    with pytest.raises(errors.SubmissionRefused) as caught:
        kind.submit(enrollment, values, now=NOW)
    assert caught.value.rule == "wrong_kind"
    assert enrollment.score == 0


def test_a_csv_upload_meets_the_same_dates(starts_later_today, make_user):
    """A CSV row dated on the start day is refused, with the reason, while the challenge is scheduled."""
    enrollment = participation.join(starts_later_today, attached(make_user()), now=NOW)
    content = f"date,mode,distance_km,replaced_car\n{TODAY.isoformat()},bike,4,yes\n".encode()
    (row,) = imports.import_csv(enrollment, content, now=NOW)
    assert row.status == "rejected" and "starts on" in row.message
