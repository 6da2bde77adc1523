"""Builders for rewards tests (partners, rewards, points given to a resident) and the API's error check."""

import itertools
from datetime import UTC, datetime

import pytest

from app.extensions import db
from rewards import ledger, services
from rewards.models import EntryKind

# A fixed "now": Wednesday 2026-03-04 12:00 UTC, as in the challenges tests.
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
API = "/api/v1"
_grants = itertools.count(1)


def assert_error(response, status: int, field: str | None = None, rule: str | None = None) -> dict:
    """The API's one error shape, with this status and, if given, the field and rule named."""
    body = response.get_json()
    assert response.status_code == status, body
    assert body["code"] == status and body["message"]
    if field:
        assert field in body["errors"], body
    if rule:
        assert body["rule"] == rule, body
    return body


@pytest.fixture
def make_partner(app):
    """Create a partner; call inside an app context (`ctx`) or get it committed and detached."""
    counter = itertools.count(1)

    def make(name: str | None = None, **fields):
        partner = services.create_partner(name or f"Partner {next(counter)}", **fields)
        db.session.commit()
        return partner

    return make


@pytest.fixture
def make_reward(app, make_partner):
    """Create a reward (cost 100, unlimited stock by default) in the current app context."""

    def make(partner=None, **fields):
        partner = partner or make_partner()
        values = {"title": "Swimming pool day ticket", "description": "One entry.", "cost": 100, **fields}
        reward = services.create_reward(partner_id=partner.id, **values)
        db.session.commit()
        return reward

    return make


def grant(user_id: int, points: int, now=None) -> None:
    """Give a resident points through the ledger, as a bonus with a key of its own, and commit."""
    ledger.credit(user_id, points, EntryKind.BONUS, "completion", ("test", None), f"test:{next(_grants)}",
                  params={"challenge": "Test"}, now=now)  # fmt: skip
    db.session.commit()


@pytest.fixture
def fund():
    return grant
