"""JSON API of a resident's points: balance, level and the ledger's entries, filtered, paged and as CSV."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from app.extensions import db
from rewards import ledger
from rewards.models import EntryKind
from tests.rewards.conftest import API, assert_error, voucher_of


@pytest.fixture
def history(app, resident_client, reward):
    """A resident with a bonus (2026-03-01), a prize (2026-03-03) and a redemption today."""
    user_id = resident_client.user.id
    with app.app_context():
        bonus_at, prize_at = datetime(2026, 3, 1, 9, 0, tzinfo=UTC), datetime(2026, 3, 3, 23, 30, tzinfo=UTC)
        ledger.credit(user_id, 80, EntryKind.BONUS, "completion", ("test", 1), "test:bonus",
                      params={"challenge": "Clean air"}, now=bonus_at)  # fmt: skip
        ledger.credit(user_id, 50, EntryKind.PRIZE, "placement", ("test", 2), "test:prize",
                      params={"challenge": "=Bike week", "place": 2}, now=prize_at)  # fmt: skip
        db.session.commit()
    voucher_of(resident_client, reward(cost=30, title="Bus ticket").id)
    return resident_client


def test_ledger_shows_balance_level_and_reasons(history):
    """Balance, lifetime points (spending does not count), level, and entries newest first in words."""
    response = history.get(f"{API}/me/ledger")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["balance"] == 100 and body["lifetime_points"] == 130
    assert body["level"] == {"number": 2, "name": "Contributor", "threshold": 100, "next_threshold": 300,
                             "points_to_next": 170}  # fmt: skip
    assert [entry["kind"] for entry in body["entries"]] == ["redemption", "prize", "bonus"]
    redemption, prize, bonus = body["entries"]
    assert redemption["amount"] == -30 and redemption["reason"] == "Redeemed: Bus ticket"
    assert prize["reason"] == "Prize for place 2 in “=Bike week”" and prize["reason_code"] == "placement"
    assert bonus["source_key"] == "test:bonus" and bonus["created_at"] == "2026-03-01T09:00:00+00:00"
    assert json.loads(response.headers["X-Pagination"])["total"] == 3


def test_ledger_pages(history):
    """Entries page like every list; the summary stays whole."""
    response = history.get(f"{API}/me/ledger?per_page=2&page=2")
    body = response.get_json()
    assert [entry["kind"] for entry in body["entries"]] == ["bonus"] and body["balance"] == 100
    meta = json.loads(response.headers["X-Pagination"])
    assert meta["total"] == 3 and meta["page"] == 2 and meta["total_pages"] == 2
    assert_error(history.get(f"{API}/me/ledger?per_page=0"), 422)


@pytest.mark.parametrize(
    ("query", "kinds"),
    [
        ("kind=bonus", ["bonus"]),
        ("kind=bonus&kind=prize", ["prize", "bonus"]),
        ("kind=bonus,redemption", ["redemption", "bonus"]),
        ("from=2026-03-02", ["redemption", "prize"]),
        ("to=2026-03-03", ["bonus"]),  # 23:30 UTC on the 3rd is already the 4th in the city
        ("from=2026-03-01&to=2026-03-01", ["bonus"]),
        ("from=2026-03-03T23:00:00Z&to=2026-03-04T00:00:00%2B00:00", ["prize"]),
        ("to=2026-03-01T09:00:00Z", []),
        ("to=2026-03-01T10:00:01", ["bonus"]),  # no offset: the city's time, 09:00:01 UTC
    ],
)
def test_ledger_filters(history, query, kinds):
    """Kinds repeated or comma-separated; from/to as days in the city or as moments."""
    response = history.get(f"{API}/me/ledger?{query}")
    assert response.status_code == 200, response.get_json()
    assert [entry["kind"] for entry in response.get_json()["entries"]] == kinds


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=gift", "kind"),
        ("kind=bonus,gift", "kind"),
        ("from=yesterday", "from"),
        ("from=2026-02-30", "from"),
        ("to=0001-01-01", "to"),
        ("to=9999-12-31T00:00:00Z", "to"),
        ("from=2026-03-05&to=2026-03-01", "to"),
        ("format=xml", "format"),
    ],
)
def test_ledger_filters_refuse_bad_input(history, query, field):
    """Unknown kinds, unreadable or far-off dates, and `from` after `to` are 422 naming the field."""
    body = assert_error(history.get(f"{API}/me/ledger?{query}"), 422, field)
    messages = body["errors"][field]
    assert isinstance(messages, list) and all(isinstance(text, str) and text for text in messages), body


def _csv(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="points-')
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_ledger_as_csv(history):
    """format=csv (or Accept: text/csv) downloads every matching entry, unpaged, formulas defused."""
    rows = _csv(history.get(f"{API}/me/ledger?format=csv&per_page=1"))
    assert [row["kind"] for row in rows] == ["redemption", "prize", "bonus"]
    reason = "Completion bonus: you reached the goal of “Clean air”"
    assert rows[2] == {"id": rows[2]["id"], "date": "2026-03-01T09:00:00+00:00", "kind": "bonus", "amount": "80",
                       "reason": reason, "source": "test:bonus", "activity_day": ""}  # fmt: skip
    assert rows[1]["reason"] == "Prize for place 2 in “=Bike week”"
    assert [
        row["kind"] for row in _csv(history.get(f"{API}/me/ledger?kind=prize", headers={"Accept": "text/csv"}))
    ] == ["prize"]
    assert_error(history.get(f"{API}/me/ledger?format=csv&from=nope"), 422, "from")
    assert_error(history.get(f"{API}/me/ledger?format=csv&per_page=0"), 422, "per_page")
    assert history.get(f"{API}/me/ledger", headers={"Accept": "application/json"}).is_json


def test_ledger_csv_defuses_formulas(app, resident_client):
    """A reason starting like a spreadsheet formula is written with a leading quote."""
    with app.app_context():
        ledger.credit(resident_client.user.id, 5, EntryKind.BONUS, "=HYPERLINK(1)", ("test", 1), "test:formula")
        db.session.commit()
    (row,) = _csv(resident_client.get(f"{API}/me/ledger?format=csv"))
    assert row["reason"] == "'=HYPERLINK(1)"
