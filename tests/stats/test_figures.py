"""Participation figures on a small city computed by hand, with the consent gate deciding who counts."""

from datetime import date, timedelta

import pytest

from app.extensions import db
from app.sharing import services as sharing
from app.sharing.models import Level
from app.stats.figures import CITY, Filters, compute
from app.stats.periods import Granularity
from challenges.scoring import Category
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
    assert figures.excluded == 2
    assert figures.buckets == [date(2026, 2, 23), WEEK]
    assert set(figures.places) == {city["north"].id, city["south"].id}


def test_city_level_adds_city_consents(city):
    """At city level a2's trip counts too; the figures form one row for the whole city."""
    figures = compute(_filters(Level.CITY), at=NOW)
    cell = figures.tables["car_km_avoided"][CITY][WEEK]
    assert (cell.value, cell.residents) == (pytest.approx(20.0), 2)
    assert figures.tables["co2_kg_avoided"][CITY][WEEK].value == pytest.approx(10 * 0.166 + 10 * (0.166 - 0.070))
    assert figures.tables["active_participants"][CITY][WEEK].value == 2
    assert figures.excluded == 1


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
