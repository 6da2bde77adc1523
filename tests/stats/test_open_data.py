"""Open-data releases: noisy city figures, the privacy budget recorded per dataset and never overspent."""

from datetime import date

import pytest

from app.extensions import db
from sharing.models import DataUse, Level
from stats import open_data, privacy
from stats.errors import BudgetSpent
from stats.figures import Aggregator, Filters
from stats.models import PrivacySpend
from stats.periods import Granularity
from stats.release import Status
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
    assert release.noise["accounting"] == "per resident"
    assert release.residents_included is None  # an exact head count would not be differentially private
    use = db.session.get(DataUse, release.export_id)
    assert use.level == Level.CITY and use.filters["open_data"] is True and use.resident_count == 2


def test_five_shifted_releases_are_refused_once_the_residents_budget_is_spent(city, app, monkeypatch):
    """Total 2.0 at 0.5 per release: four releases over different ranges and periods, then the fifth is refused.

    Under the old per-dataset budget each of these was a fresh dataset with a fresh budget.
    """
    monkeypatch.setitem(app.config, "STATS_DP_EPSILON", 0.5)
    monkeypatch.setitem(app.config, "STATS_DP_TOTAL_EPSILON", 2.0)
    shifted = [
        Filters(date(2026, 2, 23), date(2026, 3, 8), Granularity.WEEK, Level.CITY),
        Filters(date(2026, 2, 23), date(2026, 3, 7), Granularity.WEEK, Level.CITY),
        Filters(date(2026, 3, 1), date(2026, 3, 31), Granularity.MONTH, Level.CITY),
        Filters(date(2026, 3, 2), date(2026, 3, 5), Granularity.DAY, Level.CITY),
        Filters(date(2026, 2, 24), date(2026, 3, 8), Granularity.WEEK, Level.CITY),
    ]
    for filters in shifted[:4]:
        open_data.release(filters, actor=None, at=NOW)
    logged = db.session.query(DataUse).count()
    with pytest.raises(BudgetSpent) as refused:
        open_data.release(shifted[4], actor=None, at=NOW)
    assert refused.value.status == 409 and refused.value.rule == "budget_spent"
    assert db.session.query(DataUse).count() == logged  # refused before anything was used or logged
    spent = {row.user_id: row.spent_epsilon for row in db.session.query(PrivacySpend).filter_by(year=2026)}
    assert spent == {city["a1"].id: pytest.approx(2.0), city["a2"].id: pytest.approx(2.0)}  # nothing more spent
    assert open_data.budget_state(at=NOW) == open_data.BudgetState("residents:2026", 2.0, pytest.approx(2.0), 4)


def test_a_resident_without_consent_is_never_charged(city, app):
    """b1 gave no consent: their data is not used, so no budget of theirs is spent."""
    open_data.release(FILTERS, actor=None, at=NOW)
    assert db.session.get(PrivacySpend, (city["b1"].id, 2026)) is None


def test_contributions_are_clamped_per_resident_over_the_release(city, app):
    """With an L2 bound of 12 km, a1's 10 km and a2's 10 km (one week each) count fully; a bound of 6 cuts both."""
    aggregator = Aggregator(FILTERS, NOW)
    assert open_data._clamped_sums(aggregator, {"car_km_avoided": 12.0})["car_km_avoided"]["2026-03-02"] == 20.0
    assert open_data._clamped_sums(aggregator, {"car_km_avoided": 6.0})["car_km_avoided"]["2026-03-02"] == 12.0


def test_relative_error_is_reported_per_measure(city, app):
    """The metadata gives each measure's noise scale and the relative error it implies."""
    release = open_data.release(FILTERS, actor=None, at=NOW)
    errors = release.noise["errors"]
    assert set(errors) == set(open_data.MEASURES)
    bound = open_data.BOUNDS["car_km_avoided"] * 2**0.5  # two weeks
    assert errors["car_km_avoided"]["noise_scale"] == pytest.approx(
        privacy.gaussian_scale(release.noise["rho_per_measure"]["car_km_avoided"], bound), rel=1e-3
    )


def test_noise_is_really_added(city, app, monkeypatch):
    """Releases of the same figures differ: the exact values are never simply published."""
    monkeypatch.setitem(app.config, "STATS_DP_EPSILON", 0.1)
    monkeypatch.setitem(app.config, "STATS_DP_TOTAL_EPSILON", 100.0)
    seen = set()
    for _ in range(20):  # noise on an empty cell may be cut to 0 by chance; not twenty times in a row
        release = open_data.release(FILTERS, actor=None, at=NOW)
        table = next(t for t in release.measures if t.name == "car_km_avoided")
        seen.add(table.rows["city"][1].value)
    assert len(seen) > 1


def test_open_data_through_the_api(city, client, make_user, make_token, app, monkeypatch):
    """Staff publish with POST (201, noise in the metadata) until the budget is spent (409)."""
    monkeypatch.setitem(app.config, "STATS_DP_EPSILON", 1.0)
    monkeypatch.setitem(app.config, "STATS_DP_TOTAL_EPSILON", 1.0)
    staff = {"Authorization": f"Bearer {make_token(make_user(role='staff'))}"}
    url = "/api/v1/stats/open-data?period=week&from=2026-02-23&to=2026-03-08"
    first = client.post(url, headers=staff)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["metadata"]["noise"]["budget_spent"] == 1.0
    assert first.get_json()["measures"]["car_km_avoided"]["rows"][0]["values"][0]["status"] == "noisy"
    shifted = url.replace("from=2026-02-23", "from=2026-02-24")  # another range: the same residents' budget
    refused = client.post(shifted, headers=staff)
    assert refused.status_code == 409 and refused.get_json()["rule"] == "budget_spent"
    budget = client.get(url.replace("/open-data?", "/open-data/budget?"), headers=staff).get_json()
    assert budget["spent"] == 1.0 and budget["releases"] == 1


def test_open_data_is_for_staff_only(client, make_user, make_token):
    """Residents and managers get 403, anonymous callers 401."""
    url = "/api/v1/stats/open-data?period=week&from=2026-02-23&to=2026-03-08"
    for role in ("resident", "manager"):
        headers = {"Authorization": f"Bearer {make_token(make_user(role=role))}"}
        assert client.post(url, headers=headers).status_code == 403
    assert client.post(url).status_code == 401


def test_the_dashboard_shows_the_budget_and_publishes(city, app, make_user, login, monkeypatch):
    """The dashboard names the budget spent; publishing downloads a noisy release until the budget is spent."""
    monkeypatch.setitem(app.config, "STATS_DP_EPSILON", 1.0)
    monkeypatch.setitem(app.config, "STATS_DP_TOTAL_EPSILON", 1.0)
    staff = make_user(role="staff")
    browser = app.test_client()
    login(browser, staff)
    period = {"start": "2026-02-23", "end": "2026-03-08", "granularity": "week"}
    page = browser.get("/stats", query_string={**period, "level": "city"})
    assert "has spent is 0 of 1, in 0 releases" in page.get_data(as_text=True)
    published = browser.post("/stats/open-data", data={**period, "format": "json"})
    assert published.status_code == 200 and published.get_json()["metadata"]["noise"]["budget_spent"] == 1.0
    refused = browser.post("/stats/open-data", data={**period, "format": "json"}, follow_redirects=True)
    assert "privacy budget of residents this release would use is spent" in refused.get_data(as_text=True)
