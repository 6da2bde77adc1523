"""The JSON API of notifications: my notifications (filter, page, read one, read all) and my settings."""

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from notifications.models import Notification
from tests.notifications.conftest import WEDNESDAY

API = "/api/v1"
FIELDS = {"id", "kind", "message", "params", "subject", "body", "link", "created_at", "read_at"}
KINDS = {"digest", "challenge_reminders", "advice", "rewards", "consent_expiry"}


def assert_error(response, status: int, field: str | None = None) -> dict:
    body = response.get_json()
    assert response.status_code == status, body
    assert body["code"] == status and body["message"]
    if field:
        assert field in body["errors"], body
    return body


@pytest.fixture
def resident(make_user, make_token):
    """A resident and the headers of their access token."""
    user = make_user(language="de")
    user.headers = {"Authorization": f"Bearer {make_token(user)}"}
    return user


def ids(client, user) -> list[int]:
    with client.application.app_context():
        query = select(Notification.id).where(Notification.user_id == user.id).order_by(Notification.id)
        return list(db.session.scalars(query))


@pytest.mark.parametrize(
    "method, path",
    [("get", "/me/notifications"), ("post", "/me/notifications/1/read"), ("post", "/me/notifications/read-all"),
     ("get", "/me/notification-preferences"), ("put", "/me/notification-preferences")],
)  # fmt: skip
def test_anonymous_gets_401(client, method, path):
    """Every notification endpoint needs a session or token."""
    assert_error(getattr(client, method)(API + path, json={}), 401)


def test_list_newest_first_with_unread_count_filter_and_pages(client, resident, note):
    """Messages come rendered in the reader's language; unread=true filters; unread_count counts them all."""
    note(resident, kind="digest", message="weekly_digest", params={"points": 5, "challenges": 1}, now=WEDNESDAY)
    note(resident, message="badge_awarded", params={"badge": "Early bird"}, link="/rewards",
         now=WEDNESDAY.replace(hour=12))  # fmt: skip
    first, second = ids(client, resident)
    client.post(f"{API}/me/notifications/{first}/read", headers=resident.headers)

    body = client.get(f"{API}/me/notifications", headers=resident.headers).get_json()
    assert body["unread_count"] == 1 and [item["id"] for item in body["items"]] == [second, first]
    newest = body["items"][0]
    assert set(newest) == FIELDS and newest["kind"] == "rewards" and newest["link"] == "/rewards"
    assert newest["params"] == {"badge": "Early bird"} and newest["read_at"] is None and "Early bird" in newest["body"]

    unread = client.get(f"{API}/me/notifications?unread=true", headers=resident.headers).get_json()
    assert [item["id"] for item in unread["items"]] == [second] and unread["unread_count"] == 1

    paged = client.get(f"{API}/me/notifications?per_page=1&page=2", headers=resident.headers)
    assert [item["id"] for item in paged.get_json()["items"]] == [first]
    assert json.loads(paged.headers["X-Pagination"])["total"] == 2


def test_list_query_is_validated(client, resident):
    """unread must be true or false; pages start at 1."""
    assert_error(client.get(f"{API}/me/notifications?unread=yes", headers=resident.headers), 422, "unread")
    assert_error(client.get(f"{API}/me/notifications?page=0", headers=resident.headers), 422, "page")


def test_read_one_is_idempotent_and_only_mine(client, resident, make_user, note):
    """Marking read twice keeps the first time; another resident's notification is 404."""
    note(resident)
    note(make_user())
    (mine,) = ids(client, resident)
    first = client.post(f"{API}/me/notifications/{mine}/read", headers=resident.headers)
    assert first.status_code == 200 and first.get_json()["read_at"]
    again = client.post(f"{API}/me/notifications/{mine}/read", headers=resident.headers).get_json()
    assert again["read_at"] == first.get_json()["read_at"]
    with client.application.app_context():
        other = db.session.scalar(select(Notification.id).where(Notification.user_id != resident.id))
    assert_error(client.post(f"{API}/me/notifications/{other}/read", headers=resident.headers), 404)
    assert_error(client.post(f"{API}/me/notifications/999999/read", headers=resident.headers), 404)


def test_read_all(client, resident, note):
    """read-all marks every unread notification and says how many."""
    for _ in range(3):
        note(resident, kind="digest", message="weekly_digest")
    body = client.post(f"{API}/me/notifications/read-all", headers=resident.headers).get_json()
    assert body == {"marked": 3, "unread_count": 0}
    assert client.post(f"{API}/me/notifications/read-all", headers=resident.headers).get_json()["marked"] == 0


def test_preferences_get_and_put(client, resident):
    """GET lists every kind (in_app by default); PUT changes the kinds sent and answers the new settings."""
    body = client.get(f"{API}/me/notification-preferences", headers=resident.headers).get_json()
    assert body == {"preferences": {kind: "in_app" for kind in KINDS}, "email_available": False}
    response = client.put(f"{API}/me/notification-preferences", json={"preferences": {"advice": "off"}},
                          headers=resident.headers)  # fmt: skip
    assert response.status_code == 200 and response.get_json()["preferences"]["advice"] == "off"
    body["preferences"]["digest"] = "off"  # what GET answered, sent back
    after = client.put(f"{API}/me/notification-preferences", json=body, headers=resident.headers).get_json()
    assert after["preferences"]["digest"] == "off" and after["preferences"]["advice"] == "in_app"


@pytest.mark.parametrize(
    "payload, field",
    [({"preferences": {"digest": "sms"}}, "preferences"), ({"preferences": {"account": "off"}}, "preferences"),
     ({"preferences": {"digest": "email"}}, "digest"), ({}, "preferences"), ({"preferences": []}, "preferences")],
)  # fmt: skip
def test_preferences_refused_with_the_field_named(client, resident, payload, field):
    """Unknown channels or kinds, email without SMTP, or no preferences: 422 naming the field."""
    response = client.put(f"{API}/me/notification-preferences", json=payload, headers=resident.headers)
    assert_error(response, 422, field)


def test_email_can_be_chosen_with_smtp(client, resident, email_settings):
    """With SMTP set and an address, email_available is true and email is saved."""
    response = client.put(f"{API}/me/notification-preferences", json={"preferences": {"digest": "email"}},
                          headers=resident.headers)  # fmt: skip
    assert response.get_json() == {"preferences": {**{kind: "in_app" for kind in KINDS}, "digest": "email"},
                                    "email_available": True}  # fmt: skip


def test_session_writes_need_the_csrf_header(app, client, resident, login, monkeypatch):
    """A logged-in browser session must send the CSRF token for API writes; a token client need not."""
    login(client, resident)  # the log-in form itself, before CSRF is switched on
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert_error(client.post(f"{API}/me/notifications/read-all"), 400)
    assert client.post(f"{API}/me/notifications/read-all", headers=resident.headers).status_code == 200
