"""What a resident sees of their own activity: daily use spread over city days, trips per week, own submissions."""

from datetime import date, timedelta

import pytest

from app.extensions import db
from challenges import activity, participation
from challenges.kinds.reading import submit_reading
from challenges.kinds.trip import submit_trip
from challenges.scoring import Category, Mode
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


def test_daily_consumption_spreads_use_over_the_city_days(make_challenge, make_user):
    """Use between two readings is spread over the city days between them, each shown as a daily rate."""
    challenge = make_challenge()  # starts Wednesday 2026-02-25, 13:00 in Berlin
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    start = challenge.starts_at
    submit_reading(enrollment, start - timedelta(days=1), 1000.0, now=NOW)
    submit_reading(enrollment, start + timedelta(days=2), 1030.0, now=NOW)  # 10 kWh a day throughout
    days = activity.daily_consumption(enrollment, now=NOW)
    assert [day for day, _kwh in days] == [date(2026, 2, 25), date(2026, 2, 26), date(2026, 2, 27)]
    assert [kwh for _day, kwh in days] == pytest.approx([10.0, 10.0, 10.0])


def test_weekly_trips_count_every_week_of_the_challenge_so_far(make_challenge, make_user):
    """Counted trips per week from the start's week to now, sustainable ones apart; empty weeks count zero."""
    challenge = make_challenge(Category.MOBILITY)
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    submit_trip(enrollment, date(2026, 2, 26), Mode.BIKE, 4.0, True, now=NOW)
    submit_trip(enrollment, date(2026, 3, 3), Mode.CAR, 9.0, False, now=NOW)
    assert activity.weekly_trips(enrollment, now=NOW) == [(date(2026, 2, 23), 1, 1), (date(2026, 3, 2), 1, 0)]


def test_own_submissions_are_newest_first_and_a_submission_belongs_to_its_challenge(make_challenge, make_user):
    """A resident's list shows the latest first; a submission is found only under its own challenge."""
    challenge, other = make_challenge(Category.MOBILITY), make_challenge(Category.MOBILITY)
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    first, _ = submit_trip(enrollment, date(2026, 3, 1), Mode.BIKE, 4.0, True, now=NOW)
    second, _ = submit_trip(enrollment, date(2026, 3, 2), Mode.WALK, 1.0, True, now=NOW + timedelta(1))
    assert activity.own_submissions(enrollment) == [second, first]
    assert activity.get_submission(challenge.id, first.id) is first
    assert activity.get_submission(other.id, first.id) is None
