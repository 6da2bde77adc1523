"""Sessions that end: each log-in is a session on the server, and a cookie counts only while it runs."""

from datetime import timedelta

import pytest

from accounts import services, sessions
from accounts.models import Role, User, UserSession
from app.columns import utcnow
from app.extensions import db
from tests.conftest import PASSWORD, log_in
from tests.pages import Page

NEW_PASSWORD = "a-new-and-long-passphrase-42"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile Safari/604.1"


def _device(app, user, agent: str = FIREFOX):
    """A test client logged in as `user` from a browser that sends `agent`."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    log_in(client, user)
    return client


def _copy(app, client):
    """Another client holding a copy of `client`'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _logged_in(client) -> bool:
    return client.get("/profile").status_code == 200 and client.get("/api/v1/me").status_code == 200


def test_a_copied_cookie_is_refused_after_log_out(app, make_user):
    """The cookie copied before POST /logout no longer opens /profile, nor the API."""
    resident = _device(app, make_user())
    thief = _copy(app, resident)
    assert _logged_in(thief)
    resident.post("/logout")
    assert thief.get("/profile").status_code == 302
    assert thief.get("/api/v1/me").status_code == 401


def test_a_password_change_ends_every_other_session(app, make_user):
    """After a password change, the other device is logged out; the one that changed it stays logged in."""
    user = make_user()
    laptop, phone = _device(app, user), _device(app, user, IPHONE)
    response = laptop.post(
        "/profile/password", data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert not _logged_in(phone)
    assert _logged_in(laptop)


@pytest.mark.parametrize("change", [{"role": "manager", "active": "y"}, {"role": "resident"}])
def test_a_role_change_or_deactivation_ends_the_users_sessions(app, make_user, admin_client, change):
    """An admin giving another role, or deactivating the account, logs the user out everywhere."""
    user = make_user()
    phone = _device(app, user)
    assert admin_client.post(f"/admin/users/{user.id}", data=change).status_code == 302
    assert not _logged_in(phone)


def test_saving_a_user_without_changes_keeps_their_sessions(app, make_user, admin_client):
    """Only a real change of role ends sessions."""
    user = make_user()
    phone = _device(app, user)
    admin_client.post(f"/admin/users/{user.id}", data={"role": "resident", "active": "y"})
    assert _logged_in(phone)


def test_log_out_everywhere_ends_every_session(app, make_user):
    """ "Log out everywhere" ends this session and every other one."""
    user = make_user()
    laptop, phone = _device(app, user), _device(app, user, IPHONE)
    assert laptop.post("/profile/sessions/end-all").status_code == 302
    assert not _logged_in(laptop)
    assert not _logged_in(phone)


def test_the_profile_lists_sessions_and_ends_one(app, make_user):
    """Each device is listed with its browser and system; ending the phone's session logs the phone out."""
    user = make_user()
    laptop, phone = _device(app, user), _device(app, user, IPHONE)
    page = laptop.get("/profile").get_data(as_text=True)
    assert "Firefox on Windows (this device)" in page
    assert "Safari on iPhone" in page
    with app.app_context():
        phone_session = db.session.scalars(select_sessions(user.id)).all()[-1]
        assert phone_session.user_agent == IPHONE
    assert laptop.post(f"/profile/sessions/{phone_session.id}/end").status_code == 302
    assert not _logged_in(phone)
    assert _logged_in(laptop)


def test_nobody_ends_anothers_session(app, make_user):
    """Another resident's session id is unknown to you: it stays running."""
    victim, other = make_user(), make_user()
    victim_client, other_client = _device(app, victim), _device(app, other)
    with app.app_context():
        victims = db.session.scalars(select_sessions(victim.id)).one()
    other_client.post(f"/profile/sessions/{victims.id}/end")
    assert ("error", "That session has already ended.") in Page(other_client.get("/profile")).flashes
    assert _logged_in(victim_client)


def test_sessions_end_when_idle_or_old(ctx, make_user):
    """A session unused for SESSION_IDLE_DAYS, or older than SESSION_MAX_DAYS, no longer logs anyone in."""
    user = db.session.get(User, make_user().id)
    now = utcnow()
    idle = sessions.start(user, FIREFOX, now=now - timedelta(days=15))
    old = sessions.start(user, FIREFOX, now=now - timedelta(days=31))
    fresh = sessions.start(user, FIREFOX, now=now - timedelta(days=1))
    assert sessions.find(user.id, idle, now=now) is None
    assert sessions.find(user.id, old, now=now) is None
    assert sessions.find(user.id, fresh, now=now).last_seen_at == now  # seen now, so it runs on
    assert sessions.find(user.id + 1, fresh, now=now) is None  # and names this user only


def test_deactivation_through_the_service_ends_sessions(ctx, make_user):
    """set_active(False) ends the user's sessions, as set_role does on a change."""
    user = db.session.get(User, make_user().id)
    secret = sessions.start(user, FIREFOX)
    services.set_active(user, False)
    assert sessions.find(user.id, secret) is None
    services.set_active(user, True)
    other = sessions.start(user, FIREFOX)
    services.set_role(user, Role.STAFF)
    assert sessions.find(user.id, other) is None


def select_sessions(user_id: int):
    from sqlalchemy import select

    return select(UserSession).where(UserSession.user_id == user_id).order_by(UserSession.id)


def test_logging_in_again_ends_the_session_it_replaces(app, make_user):
    """A second log-in on the same device ends the first session: a copy of the old cookie stops working."""
    first, second = make_user(), make_user()
    device = _device(app, first)
    old_copy = _copy(app, device)
    log_in(device, second)
    assert not _logged_in(old_copy)
    assert _logged_in(device)
