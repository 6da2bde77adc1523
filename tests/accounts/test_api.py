"""The JSON API of accounts: /api/v1/me, token and session authentication, one error format."""

import pytest

from accounts.models import Role


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_me_needs_authentication(client):
    """Anonymous callers get 401 in the API's error format, with a WWW-Authenticate header."""
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    body = response.get_json()
    assert body["code"] == 401 and body["status"] == "Unauthorized" and body["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_me_with_session(resident_client):
    """A logged-in browser session can read its own profile."""
    body = resident_client.get("/api/v1/me").get_json()
    assert body["email"] == resident_client.user.email
    assert body["role"] == "resident"
    assert body["display"] == {
        "text_scale": 100,
        "line_spacing": "normal",
        "letter_spacing": "normal",
        "high_contrast": False,
    }
    assert "password_hash" not in body


def test_me_with_token(client, make_user, make_token):
    """A personal access token authenticates without any cookie, and sets none."""
    user = make_user(role=Role.STAFF)
    response = client.get("/api/v1/me", headers=bearer(make_token(user)))
    assert response.status_code == 200
    assert response.get_json()["role"] == "staff"
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("header", ["Bearer cq_nope", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 300])
def test_bad_credentials_get_401(client, header):
    """Unknown, empty or foreign-scheme credentials are refused."""
    assert client.get("/api/v1/me", headers={"Authorization": header}).status_code == 401


def test_a_token_overrides_the_session(resident_client):
    """When a token is sent it alone decides, even next to a valid session cookie."""
    response = resident_client.get("/api/v1/me", headers=bearer("cq_revoked-or-unknown"))
    assert response.status_code == 401


def test_revoked_token_gets_401(client, app, make_user, make_token):
    """After revocation the token is refused at once."""
    user = make_user()
    secret = make_token(user)
    with app.app_context():
        from accounts import services
        from app.extensions import db

        token = services.get_user(user.id).tokens[0]
        services.revoke_token(token.user, token.id)
        db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_patch_me_changes_only_what_is_sent(client, make_user, make_token, make_neighbourhood):
    """PATCH changes the fields given, display settings merged into the current ones."""
    user = make_user()
    other_place = make_neighbourhood(name="Hafenviertel")
    headers = bearer(make_token(user))
    response = client.patch(
        "/api/v1/me",
        json={"household_size": 3, "neighbourhood_id": other_place.id, "display": {"text_scale": 150}},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["household_size"] == 3
    assert body["neighbourhood"]["name"] == "Hafenviertel"
    assert body["display"]["text_scale"] == 150 and body["display"]["line_spacing"] == "normal"
    assert client.get("/api/v1/me", headers=headers).get_json()["household_size"] == 3


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"household_size": 0}, "household_size"),
        ({"household_size": 13}, "household_size"),
        ({"household_size": "2"}, "household_size"),
        ({"language": "fr"}, "language"),
        ({"pseudonym": "x"}, "pseudonym"),
        ({"pseudonym": "<script>"}, "pseudonym"),
        ({"neighbourhood_id": 0}, "neighbourhood_id"),
        ({"neighbourhood_id": 99999}, "neighbourhood_id"),
        ({"display": {"text_scale": 130}}, "display"),
        ({"leaderboard_visible": 1}, "leaderboard_visible"),
        ({"role": "admin"}, "role"),
        ({}, "_schema"),
    ],
)
def test_patch_me_rejects_bad_input_with_field_messages(client, make_user, make_token, payload, field):
    """Every bad input is a 422 naming the field, and nothing is changed."""
    user = make_user()
    headers = bearer(make_token(user))
    response = client.patch("/api/v1/me", json=payload, headers=headers)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422 and body["message"]
    assert field in body["errors"], body
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["role"] == "resident" and me["household_size"] == 1


def test_patch_me_pseudonym_clash_is_409(client, make_user, make_token):
    """Taking another user's pseudonym is a conflict, explained on the field."""
    make_user(pseudonym="Sunny Otter")
    response = client.patch("/api/v1/me", json={"pseudonym": "sunny otter"}, headers=bearer(make_token(make_user())))
    assert response.status_code == 409
    assert "pseudonym" in response.get_json()["errors"]


def test_malformed_json_is_a_clear_4xx(client, make_user, make_token):
    """A body that is not JSON gets a 4xx JSON error, never a 500."""
    response = client.patch(
        "/api/v1/me", data="{not json", headers={**bearer(make_token(make_user())), "Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    assert response.get_json()["code"] == response.status_code


def test_neighbourhoods_are_public(client, make_neighbourhood):
    """The neighbourhood list needs no log-in (registration uses it) and is sorted by name."""
    make_neighbourhood(name="Südstadt", households=3100)
    make_neighbourhood(name="Altstadt", households=2150)
    body = client.get("/api/v1/neighbourhoods").get_json()
    assert [n["name"] for n in body] == ["Altstadt", "Südstadt"]
    assert body[0]["households"] == 2150


def test_unknown_api_paths_and_methods_answer_in_json(client):
    """404 and 405 in the API are JSON too; 405 lists the allowed methods."""
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["code"] == 404
    wrong = client.delete("/api/v1/neighbourhoods")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
