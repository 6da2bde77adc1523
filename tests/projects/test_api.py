"""The community projects API: publishing, the public list and page, pledging with what was taken and kept,
repeated keys, refusals as 4xx JSON naming the field or rule (never a 500), and cancelling with refunds."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Role
from tests.rewards.conftest import assert_error, grant

API = "/api/v1/projects"
SOON = (datetime.now(UTC) + timedelta(days=10)).isoformat()


@pytest.fixture
def api(app, make_user, make_token):
    """A caller of the API as a new user of `role`: api(role).post(path, json=…)."""

    class Caller:
        def __init__(self, role, **fields):
            self.user = make_user(role=role, **fields)
            self.headers = {"Authorization": f"Bearer {make_token(self.user)}"}
            self.client = app.test_client()

        def __getattr__(self, method):
            return lambda path, headers=None, **kw: getattr(self.client, method)(
                path, headers={**self.headers, **(headers or {})}, **kw
            )

    return lambda role=Role.RESIDENT, **fields: Caller(role, **fields)


@pytest.fixture
def give(app):
    def give_points(caller, amount):
        with app.app_context():
            grant(caller.user.id, amount)

    return give_points


def _publish(manager, **fields):
    body = {"title_en": "Bike rack", "title_de": "Fahrradständer", "target": 500, "deadline": SOON, **fields}
    response = manager.post(API, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_publish_pledge_and_fund_through_the_api(api, give, client):
    """A manager publishes; residents pledge; the one that overshoots is told what was taken and kept."""
    manager, ada, bob = api(Role.MANAGER), api(pseudonym="Ada"), api(pseudonym="Bob")
    give(ada, 1_000)
    give(bob, 1_000)
    project = _publish(manager)
    assert project["status"] == "open" and project["still_needed"] == 500 and project["neighbourhood"] is None
    first = ada.post(f"{API}/{project['id']}/pledges", json={"points": 400, "show_name": True})
    assert first.status_code == 201 and first.get_json()["amount"] == 400
    second = bob.post(f"{API}/{project['id']}/pledges", json={"points": 300})
    assert second.status_code == 201
    assert {k: second.get_json()[k] for k in ("offered", "amount", "kept")} == {"offered": 300, "amount": 100,
                                                                               "kept": 200}  # fmt: skip
    shown = client.get(f"{API}/{project['id']}").get_json()
    assert (shown["status"], shown["pledged"], shown["percent"]) == ("funded", 500, 100)
    assert shown["backer_count"] == 2 and shown["backers"] == ["Ada"] and shown["me"] is None
    assert ada.get(f"{API}/{project['id']}").get_json()["me"] == {"pledged": 400, "may_pledge": False}
    assert_error(bob.post(f"{API}/{project['id']}/pledges", json={"points": 1}), 409, rule="not_open")
    mine = ada.get("/api/v1/me/pledges").get_json()
    assert [(p["project_id"], p["amount"]) for p in mine] == [(project["id"], 400)]


def test_a_repeated_idempotency_key_answers_the_first_pledge(api, give):
    """The same Idempotency-Key books once and answers 200 with the first pledge; for another project it is a 422."""
    manager, ada = api(Role.MANAGER), api()
    give(ada, 1_000)
    one, other = _publish(manager), _publish(manager)
    key = {"Idempotency-Key": "pledge-1"}
    assert ada.post(f"{API}/{one['id']}/pledges", json={"points": 50}, headers=key).status_code == 201
    again = ada.post(f"{API}/{one['id']}/pledges", json={"points": 50}, headers=key)
    assert again.status_code == 200 and ada.get(f"{API}/{one['id']}").get_json()["pledged"] == 50
    assert_error(ada.post(f"{API}/{other['id']}/pledges", json={"points": 50}, headers=key), 422, "Idempotency-Key")


@pytest.mark.parametrize(
    ("body", "field"),
    [({"points": 0}, "points"), ({"points": "100"}, "points"), ({"points": 1.5}, "points"), ({}, "points"),
     ({"points": 2**70}, "points"), ({"points": 10, "show_name": "yes"}, "show_name")],
)  # fmt: skip
def test_bad_pledges_are_422_with_the_field(api, give, body, field):
    """Zero, strings, fractions, a missing or huge number and a non-boolean are refused on their field."""
    manager, ada = api(Role.MANAGER), api()
    give(ada, 100)
    project = _publish(manager)
    assert_error(ada.post(f"{API}/{project['id']}/pledges", json=body), 422, field)


def test_refusals_name_their_rule(api, give, make_neighbourhood):
    """Too few points (409 insufficient_points), another neighbourhood (403), no such project (404)."""
    hood = make_neighbourhood("Hafenviertel")
    manager, ada = api(Role.MANAGER), api()
    give(ada, 10)
    project = _publish(manager)
    assert_error(ada.post(f"{API}/{project['id']}/pledges", json={"points": 11}), 409, "points", "insufficient_points")
    local = _publish(manager, neighbourhood_id=hood.id)
    assert local["neighbourhood"]["name"] == "Hafenviertel"
    assert_error(ada.post(f"{API}/{local['id']}/pledges", json={"points": 1}), 403, rule="other_neighbourhood")
    assert_error(ada.post(f"{API}/999/pledges", json={"points": 1}), 404)


def test_publishing_refuses_bad_fields(api):
    """A past deadline, a target of 0, no title and an unknown neighbourhood are 422s naming each field."""
    manager = api(Role.MANAGER)
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    body = manager.post(API, json={"title_en": " ", "target": 0, "deadline": past, "neighbourhood_id": 999})
    assert set(assert_error(body, 422)["errors"]) >= {"title_en", "target", "deadline", "neighbourhood_id"}
    assert_error(manager.post(API, json={"target": 10, "deadline": SOON}), 422, "title")
    assert_error(manager.post(API, json={"title": "x", "target": 10, "deadline": "2026-13-01"}), 422, "deadline")


def test_a_manager_edits_and_cancels_and_the_points_come_back(api, give):
    """PATCH changes the target; cancel refunds every backer at once; cancelling again is a 409."""
    manager, ada = api(Role.MANAGER), api()
    give(ada, 300)
    project = _publish(manager)
    ada.post(f"{API}/{project['id']}/pledges", json={"points": 200})
    patched = manager.patch(f"{API}/{project['id']}", json={"target": 800, "title_de": "Radbügel"})
    assert patched.status_code == 200 and patched.get_json()["target"] == 800
    assert_error(manager.patch(f"{API}/{project['id']}", json={"target": 100}), 422, "target")
    cancelled = manager.post(f"{API}/{project['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert ada.get("/api/v1/me/pledges").get_json()[0]["refunded_at"] is not None
    assert ada.get("/api/v1/me/ledger").status_code == 200
    assert_error(manager.post(f"{API}/{project['id']}/cancel"), 409, rule="already_ended")


def test_the_list_filters_by_status(api, client):
    """`status` keeps one status; an unknown one is a 422."""
    manager = api(Role.MANAGER)
    _publish(manager)
    assert len(client.get(f"{API}?status=open").get_json()) == 1
    assert client.get(f"{API}?status=funded").get_json() == []
    assert_error(client.get(f"{API}?status=sold"), 422, "status")
