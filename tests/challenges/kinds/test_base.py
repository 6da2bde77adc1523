"""What every kind of submission goes through: replayed keys and the flags that hold one for review."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from app.extensions import db
from challenges import participation
from challenges.kinds.reading import submit_reading
from challenges.kinds.trip import submit_trip
from challenges.scoring import Category, Metric, Mode
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


def test_idempotency_key_returns_the_first_result(make_challenge, make_user):
    """The same key twice stores one submission and returns the first."""
    enrollment = participation.join(make_challenge(), attached(make_user()), now=NOW)
    first, created = submit_reading(enrollment, NOW - timedelta(days=1), 1000.0, idempotency_key="k1", now=NOW)
    again, created_again = submit_reading(enrollment, NOW, 2000.0, idempotency_key="k1", now=NOW)
    assert created and not created_again and again.id == first.id and again.meter_kwh == 1000.0


def test_a_flag_is_worded_in_each_readers_language(make_challenge, make_user):
    """A flag keeps its rule and numbers; English and German readers each see their own words and decimals."""
    challenge = make_challenge(max_kwh_per_day=30.0)
    enrollment = participation.join(challenge, attached(make_user(language="de")), now=NOW)
    submit_reading(enrollment, NOW - timedelta(days=3), 1000.0, now=NOW)
    reading, _ = submit_reading(enrollment, NOW - timedelta(days=2), 1100.25, now=NOW)
    assert (reading.flag_rule, reading.flag_values) == ("kwh_per_day", {"value": 100.25, "limit": 30.0})
    with force_locale("en"):
        assert reading.flag_reason.startswith("100.2 kWh per day is more than the 30 kWh this challenge expects")
    with force_locale("de"):
        assert reading.flag_reason.startswith("100,2 kWh pro Tag sind mehr als die 30 kWh")
    trip_challenge = make_challenge(Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS, max_km_per_day=50.0)
    traveller = participation.join(trip_challenge, attached(make_user()), now=NOW)
    trip, _ = submit_trip(traveller, date(2026, 3, 1), Mode.BIKE, 1234.0 / 2, True, now=NOW)
    with force_locale("de"):
        assert trip.flag_reason.startswith("617 km an einem Tag sind mehr als die 50 km")
    accepted, _ = submit_trip(traveller, date(2026, 3, 2), Mode.BIKE, 5.0, True, now=NOW)
    assert accepted.flag_reason is None
