"""The teams API: founding, joining by code and request, the captain-only actions, leaving, moderation, and
refusals as 4xx JSON with field messages."""

import pytest

from accounts.models import Role


@pytest.fixture
def api(app, make_user, make_token):
    """A caller of the API as a new user of `role`: api(role).post(path, json=…)."""

    class Caller:
        def __init__(self, role, **fields):
            self.user = make_user(role=role, **fields)
            self.headers = {"Authorization": f"Bearer {make_token(self.user)}"}
            self.client = app.test_client()

        def __getattr__(self, method):
            return lambda path, **kw: getattr(self.client, method)(path, headers=self.headers, **kw)

    return lambda role=Role.RESIDENT, **fields: Caller(role, **fields)


def test_found_join_request_accept_and_leave(api, client):
    """The whole round through the API: only the captain sees the code and the requests."""
    ada, bob, eve, manager = api(), api(pseudonym="Bob"), api(pseudonym="Eve"), api(Role.MANAGER)
    founded = ada.post("/api/v1/teams", json={"name": "Familie Öztürk", "kind": "family", "is_open": True})
    assert founded.status_code == 201
    team = founded.get_json()
    assert team["status"] == "pending" and team["invite_code"] and team["members"][0]["captain"] is True
    assert client.get(f"/api/v1/teams/{team['id']}").status_code == 404
    assert manager.patch(f"/api/v1/teams/{team['id']}", json={"status": "approved"}).status_code == 200
    assert [t["name"] for t in client.get("/api/v1/teams").get_json()] == ["Familie Öztürk"]
    joined = bob.post("/api/v1/teams/join", json={"code": team["invite_code"].lower()})
    assert joined.status_code == 200 and joined.get_json()["invite_code"] is None
    assert eve.post(f"/api/v1/teams/{team['id']}/requests").status_code == 201
    eve_id = eve.user.id
    assert bob.post(f"/api/v1/teams/{team['id']}/members/{eve_id}/accept").status_code == 403
    accepted = ada.post(f"/api/v1/teams/{team['id']}/members/{eve_id}/accept")
    assert accepted.status_code == 200 and accepted.get_json()["member_count"] == 3
    public = client.get(f"/api/v1/teams/{team['id']}").get_json()
    assert public["members"] == [] and public["invite_code"] is None and public["member_count"] == 3
    assert ada.post(f"/api/v1/teams/{team['id']}/leave").status_code == 422  # captain must hand over
    assert ada.post(f"/api/v1/teams/{team['id']}/members/{bob.user.id}/captain").status_code == 200
    assert ada.post(f"/api/v1/teams/{team['id']}/leave").status_code == 204
    assert client.get(f"/api/v1/teams/{team['id']}").get_json()["member_count"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "family"}, "name"),
        ({"name": "", "kind": "family"}, "name"),
        ({"name": "   ", "kind": "family"}, "name"),
        ({"name": "x" * 61, "kind": "family"}, "name"),
        ({"name": "Null\x00", "kind": "family"}, "name"),
        ({"name": "Team", "kind": "gang"}, "kind"),
        ({"name": "Team", "kind": "club", "description": "d" * 1001}, "description"),
        ({"name": "Team", "kind": "club", "is_open": "vielleicht"}, "is_open"),
        ({"name": "Team", "kind": "club", "is_open": 1}, "is_open"),
    ],
)
def test_bad_team_input_is_refused_with_a_field_message(api, body, field):
    """Each wrong field is named in the 422 answer; nothing is founded."""
    ada = api()
    response = ada.post("/api/v1/teams", json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"], response.get_json()
    assert ada.get("/api/v1/teams").get_json() == []
    assert ada.post("/api/v1/teams", json={"name": "Team", "kind": "club"}).status_code == 201


def test_conflicts_and_wrong_codes_are_clear_4xx(api):
    """A taken name and a second team are 409, a wrong code 404 on `code`; a manager's rename to a taken name 409."""
    ada, bob, manager = api(), api(), api(Role.MANAGER)
    first = ada.post("/api/v1/teams", json={"name": "Die Füchse", "kind": "club"}).get_json()
    taken = bob.post("/api/v1/teams", json={"name": "DIE FÜCHSE", "kind": "club"})
    assert taken.status_code == 409 and "name" in taken.get_json()["errors"]
    assert ada.post("/api/v1/teams", json={"name": "Zweites", "kind": "club"}).status_code == 409
    wrong = bob.post("/api/v1/teams/join", json={"code": "AAAA-AAAA"})
    assert wrong.status_code == 404 and "code" in wrong.get_json()["errors"]
    second = bob.post("/api/v1/teams", json={"name": "Die Igel", "kind": "club"}).get_json()
    clash = manager.patch(f"/api/v1/teams/{second['id']}", json={"name": "die füchse"})
    assert clash.status_code == 409
    assert manager.patch(f"/api/v1/teams/{first['id']}", json={}).status_code == 422


def test_reports_are_once_per_resident_and_only_on_visible_teams(api):
    """A pending team cannot be reported by outsiders (404); an approved one once per resident (then 409)."""
    ada, eve, manager = api(), api(), api(Role.MANAGER)
    team = ada.post("/api/v1/teams", json={"name": "Grob", "kind": "other"}).get_json()
    assert eve.post(f"/api/v1/teams/{team['id']}/reports", json={"reason": "beleidigend"}).status_code == 404
    manager.patch(f"/api/v1/teams/{team['id']}", json={"status": "approved"})
    assert eve.post(f"/api/v1/teams/{team['id']}/reports", json={"reason": ""}).status_code == 422
    assert eve.post(f"/api/v1/teams/{team['id']}/reports", json={"reason": "beleidigend"}).status_code == 204
    assert eve.post(f"/api/v1/teams/{team['id']}/reports", json={"reason": "nochmal"}).status_code == 409
