"""Open-data releases: noisy city figures, the privacy budget recorded per dataset and never overspent."""

from datetime import date

import pytest

from app.extensions import db
from app.sharing.models import DataUse, Level
from app.stats import open_data
from app.stats.figures import Filters
from app.stats.models import PrivacyBudget
from app.stats.periods import Granularity
from app.stats.release import Status
from tests.challenges.conftest import NOW

FILTERS = Filters(start=date(2026, 2, 23), end=date(2026, 3, 8), granularity=Granularity.WEEK, level=Level.CITY)


def test_a_release_is_noisy_city_level_and_logged(city, app):
    """Every value is marked noisy, only the city row exists, and the release is in the data use log."""
    release = open_data.release(FILTERS, actor=None, at=NOW)
    assert {table.name for table in release.measures} == set(open_data.MEASURES)
    for table in release.measures:
        assert list(table.rows) == ["city"]
        assert all(value.status == Status.NOISY and value.value >= 0 for value in table.rows["city"])
    assert release.noise["epsilon"] == app.config["STATS_DP_EPSILON"]
    assert release.noise["budget_spent"] == pytest.approx(app.config["STATS_DP_EPSILON"])
    use = db.session.get(DataUse, release.export_id)
    assert use.level == Level.CITY and use.filters["open_data"] is True and use.resident_count == 2


def test_the_budget_refuses_once_spent(city, app, monkeypatch):
    """Total 2.0 at 0.5 per release: four releases, then a refusal that spends nothing more."""
    monkeypatch.setitem(app.config, "STATS_DP_EPSILON", 0.5)
    monkeypatch.setitem(app.config, "STATS_DP_TOTAL_EPSILON", 2.0)
    for _ in range(4):
        open_data.release(FILTERS, actor=None, at=NOW)
    with pytest.raises(open_data.BudgetSpent):
        open_data.release(FILTERS, actor=None, at=NOW)
    budget = db.session.get(PrivacyBudget, open_data.dataset_key(FILTERS))
    assert budget.spent_epsilon == pytest.approx(2.0) and budget.releases == 4
    assert open_data.budget_state(FILTERS).spent == pytest.approx(2.0)
    other = Filters(FILTERS.start, FILTERS.end, Granularity.MONTH, Level.CITY)
    assert open_data.budget_state(other).spent == 0.0  # each dataset has a budget of its own


def test_noise_is_really_added(city, app, monkeypatch):
    """Releases of the same figures differ: the exact values are never simply published."""
    monkeypatch.setitem(app.config, "STATS_DP_EPSILON", 0.1)
    monkeypatch.setitem(app.config, "STATS_DP_TOTAL_EPSILON", 100.0)
    seen = set()
    for _ in range(8):
        release = open_data.release(FILTERS, actor=None, at=NOW)
        table = next(t for t in release.measures if t.name == "car_km_avoided")
        seen.add(table.rows["city"][1].value)
    assert len(seen) > 1
