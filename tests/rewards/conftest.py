"""Builders and helpers for rewards tests: partners, rewards, points given to a resident, clients by role,
the API's error check and a redemption through the page."""

import itertools
import re
from datetime import UTC, datetime
from html import unescape

import pytest

from accounts.models import Role, User
from app.extensions import db
from rewards import ledger
from rewards.catalogue import services, vouchers
from rewards.models import EntryKind, Partner, VoucherStatus
from tests.conftest import log_in

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


def _outside_a_context(app, build):
    """`build` as a builder usable outside an app context: it returns its object detached, columns loaded."""

    def make(**fields):
        with app.app_context():
            built = build(**fields)
            db.session.refresh(built)
            db.session.expunge(built)
            return built

    return make


@pytest.fixture
def partner(app, make_partner):
    """A partner builder usable outside an app context."""
    return _outside_a_context(app, make_partner)


@pytest.fixture
def reward(app, make_reward):
    """A reward builder usable outside an app context: cost 100, unlimited by default."""
    return _outside_a_context(app, make_reward)


@pytest.fixture
def new_reward(reward):
    """Create a reward outside an app context and return its id."""
    return lambda **fields: reward(**fields).id


@pytest.fixture
def give(app):
    """Give a user points through the ledger, outside an app context."""

    def give_points(user, points: int, now=None) -> None:
        with app.app_context():
            grant(user.id, points, now=now)

    return give_points


@pytest.fixture
def read(app):
    """Run a function in a short app context and return its result."""

    def run(function):
        with app.app_context():
            return function()

    return run


@pytest.fixture
def partner_client(app, make_user, login):
    """A client logged in as a partner account; `.join(partner)` makes it act for that partner."""
    user = make_user(role=Role.PARTNER)
    client = app.test_client()
    login(client, user)
    client.user = user

    def join(partner) -> None:
        with app.app_context():
            services.add_partner_member(db.session.get(Partner, partner.id), db.session.get(User, user.id))
            db.session.commit()

    client.join = join
    return client


def as_user(app, make_user, role=Role.RESIDENT):
    """A client logged in as a new user of `role`, who is `client.user`."""
    client = app.test_client()
    client.user = make_user(role=role)
    log_in(client, client.user)
    return client


def text_of(response) -> str:
    """The page's text with tags dropped and whitespace collapsed, as a reader sees it."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def voucher_of(client, reward_id: int) -> dict:
    """Redeem through the API and return the voucher."""
    response = client.post(f"{API}/rewards/{reward_id}/redeem")
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def redeem_on_page(client, reward_id: int, key: str = "key-1"):
    return client.post(f"/rewards/{reward_id}/redeem", data={"idempotency_key": key})


def redeemed_code(client, reward_id: int, key: str = "key-1") -> str:
    """Redeem through the page and return the voucher's code."""
    response = redeem_on_page(client, reward_id, key)
    assert response.status_code == 302, text_of(response)
    return response.headers["Location"].rsplit("/", 1)[1]


def balance_of(read, user) -> int:
    return read(lambda: ledger.balance(user.id))


def voucher_status(read, code: str) -> VoucherStatus:
    return read(lambda: vouchers.find_voucher(code).status)
