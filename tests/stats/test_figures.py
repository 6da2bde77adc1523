"""Participation figures on a small city computed by hand, with the consent gate deciding who counts."""

from datetime import date, timedelta

import pytest

from app.extensions import db
from challenges import participation
from challenges.kinds.reading import submit_reading
from challenges.kinds.trip import submit_trip
from challenges.scoring import Category, Format, Metric, Mode
from sharing import services as sharing
from sharing.models import Level
from stats.figures import CITY, Filters, compute
from stats.periods import Granularity, day_bounds
from tests.challenges.conftest import NOW
from tests.stats.conftest import DAY, WEEK


def _filters(level, **extra):
    return Filters(start=date(2026, 2, 23), end=date(2026, 3, 8), granularity=Granularity.WEEK, level=level, **extra)


def test_neighbourhood_level_counts_only_neighbourhood_consents(city):
    """At neighbourhood level only a1 counts: a2 consented to city aggregates only, b1 to nothing."""
    figures = compute(_filters(Level.NEIGHBOURHOOD), at=NOW)
    north = city["north"].id
    assert figures.tables["car_km_avoided"][north][WEEK].value == pytest.approx(10.0)
    assert figures.tables["car_km_avoided"][north][WEEK].residents == 1
    assert figures.tables["sustainable_trips"][north][WEEK].value == 2
    assert figures.tables["co2_kg_avoided"][north][WEEK].value == pytest.approx(10 * 0.166)
    assert figures.tables["joins"][north][WEEK].value == 1
    assert city["south"].id not in figures.tables["submissions"]
    assert figures.included == {city["a1"].id}
    assert figures.without_consent.value == 2  # a2 (city level only) and b1, from the consent records
    assert figures.buckets == [date(2026, 2, 23), WEEK]
    assert set(figures.places) == {city["north"].id, city["south"].id}


def test_city_level_adds_city_consents(city):
    """At city level a2's trip counts too; the figures form one row for the whole city."""
    figures = compute(_filters(Level.CITY), at=NOW)
    cell = figures.tables["car_km_avoided"][CITY][WEEK]
    assert (cell.value, cell.residents) == (pytest.approx(20.0), 2)
    assert figures.tables["co2_kg_avoided"][CITY][WEEK].value == pytest.approx(10 * 0.166 + 10 * (0.166 - 0.070))
    assert figures.tables["active_participants"][CITY][WEEK].value == 2
    assert figures.without_consent.value == 1


def test_a_revoked_resident_disappears_from_the_next_export(city):
    """After a1 revokes, the next computation leaves a1's trips out; an earlier moment still had them."""
    in_force = sharing.active_consents(db.session.merge(city["a1"]), now=NOW)
    consent = next(c for c in in_force if c.category.code == "trips")
    sharing.revoke(consent, now=NOW + timedelta(hours=1))
    db.session.commit()
    after = compute(_filters(Level.CITY), at=NOW + timedelta(hours=2))
    assert after.tables["car_km_avoided"][CITY][WEEK].value == pytest.approx(10.0)  # a2 only
    assert after.tables["submissions"][CITY][WEEK].value == 1
    assert city["a1"].id in after.included  # still counted in joins: the household-profile consent remains
    neighbourhood = compute(_filters(Level.NEIGHBOURHOOD), at=NOW + timedelta(hours=2))
    assert neighbourhood.tables["car_km_avoided"] == {}


def test_filters_by_neighbourhood_and_category(city):
    """Energy-only figures of this mobility city are empty; a neighbourhood filter keeps only that place."""
    energy = compute(_filters(Level.CITY, category=Category.ENERGY), at=NOW)
    assert energy.tables["submissions"] == {}
    south_only = compute(_filters(Level.NEIGHBOURHOOD, neighbourhood_ids=(city["south"].id,)), at=NOW)
    assert list(south_only.places) == [city["south"].id]
    assert south_only.tables["submissions"] == {}


def test_daily_and_monthly_buckets(city):
    """The same trips fall on their day and in their month."""
    daily = compute(Filters(DAY, DAY, Granularity.DAY, Level.CITY), at=NOW)
    assert daily.tables["submissions"][CITY][DAY].value == 3
    monthly = compute(Filters(date(2026, 3, 1), date(2026, 3, 31), Granularity.MONTH, Level.CITY), at=NOW)
    assert monthly.tables["submissions"][CITY][date(2026, 3, 1)].value == 3
    assert monthly.buckets == [date(2026, 3, 1)]


def test_energy_readings_count_the_kwh_they_saved(catalogue, make_user, make_challenge, give_consent):
    """kWh saved is what each counted reading saved against the baseline; CO2 follows from the grid factor."""
    challenge = make_challenge(Category.ENERGY, metric=Metric.CO2_KG_AVOIDED, format=Format.NEIGHBOURHOOD)
    reader = make_user(household_size=1)
    enrollment = participation.join(challenge, db.session.merge(reader), now=challenge.starts_at)
    baseline = enrollment.baseline_kwh_per_day
    start = challenge.starts_at
    for days, meter in ((1, 1000.0), (3, 1007.0)):
        submit_reading(enrollment, start + timedelta(days=days), meter, now=NOW)
    db.session.commit()
    give_consent(reader, "energy_readings", "municipal_statistics", "city", now=NOW)
    figures = compute(Filters(date(2026, 2, 1), date(2026, 3, 31), Granularity.MONTH, Level.CITY), at=NOW)
    kwh = figures.tables["kwh_saved"][CITY][date(2026, 2, 1)]
    assert (kwh.value, kwh.residents) == (pytest.approx(2 * baseline - 7.0), 1)
    co2 = figures.tables["co2_kg_avoided"][CITY][date(2026, 2, 1)].value
    assert co2 == pytest.approx((2 * baseline - 7.0) * 0.38)
    assert figures.tables["car_km_avoided"][CITY][date(2026, 2, 1)].value == 0.0
    assert figures.included == {reader.id}


def test_retention_is_the_share_of_joiners_active_four_weeks_later(
    catalogue, make_user, make_neighbourhood, make_challenge, give_consent
):
    """Of three consenting joiners, one sends a trip 28 days after joining, one after 27, one never: 1/3.

    A fourth, without consent, is active later too but is not counted at all.
    """
    place = make_neighbourhood("East")
    challenge = make_challenge(Category.MOBILITY, ends_at=NOW + timedelta(days=60))
    kept, early, silent, unconsented = (make_user(neighbourhood_id=place.id) for _ in range(4))
    for user, days_later in ((kept, 28), (early, 27), (silent, None), (unconsented, 30)):
        enrollment = participation.join(challenge, db.session.merge(user), now=NOW)
        if days_later is not None:
            day = NOW.date() + timedelta(days=days_later)
            submit_trip(enrollment, day, Mode.BIKE, 3.0, True, now=NOW + timedelta(days=days_later))
        db.session.commit()
        if user is not unconsented:
            give_consent(user, "trips", "municipal_statistics", "neighbourhood", now=NOW - timedelta(days=1))
    at = NOW + timedelta(days=40)
    figures = compute(_filters(Level.NEIGHBOURHOOD), at=at)
    joined, kept = figures.retention[place.id]
    assert (joined.value, kept.value, joined.residents) == (3, 1, 3)


def test_consents_are_counted_as_they_stand_at_the_end_of_the_period(app, catalogue, make_user, give_consent):
    """Granted exactly at the period's end: next period's, not counted; expiring exactly then: counted."""
    filters = _filters(Level.CITY)
    _begin, end = day_bounds(filters.start, filters.end, app.config["TIMEZONE"])
    still, expiring, granted_at_end, ended_before = (make_user() for _ in range(4))
    give_consent(still, "trips", "municipal_statistics", "city", now=NOW - timedelta(days=30))
    assert give_consent(expiring, "trips", "municipal_statistics", "city", months=3,
                        now=sharing.add_months(end, -3)).expires_at == end  # fmt: skip
    give_consent(granted_at_end, "trips", "municipal_statistics", "neighbourhood", now=end)
    consent = give_consent(ended_before, "trips", "municipal_statistics", "individual", now=NOW - timedelta(days=30))
    sharing.revoke(consent, now=end - timedelta(microseconds=1))
    db.session.commit()
    consents = compute(filters, at=NOW).consents
    assert {group: cell.value for group, cell in consents.items()} == {("municipal_statistics", "city"): 2}
