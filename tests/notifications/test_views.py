"""Pages of notifications: the header count, the list, mark read, mark all read, open a link, the settings form."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from notifications.models import Notification, NotificationPreference
from tests.notifications.conftest import WEDNESDAY

PAGES = ("/me/notifications", "/me/notifications/preferences")


def page(client, path="/me/notifications"):
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, path):
    """Every notification page needs a log-in."""
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_anonymous_posts_change_nothing(client, make_user, note):
    """Marking read needs a log-in too."""
    note(make_user())
    for path in ("/me/notifications/read-all", "/me/notifications/1/read"):
        assert client.post(path).status_code == 302
    with client.application.app_context():
        assert db.session.scalar(select(Notification.read_at)) is None


def test_header_shows_the_unread_count_and_the_list_marks_unread(resident_client, note):
    """“Notifications (2 unread)” in the header; newest first, unread ones marked, kinds named."""
    user = resident_client.user
    note(user, kind="digest", message="weekly_digest", params={"points": 40, "challenges": 2}, now=WEDNESDAY)
    note(user, message="badge_awarded", params={"badge": "Early bird"}, now=WEDNESDAY.replace(hour=11))
    html = page(resident_client)
    assert re.search(r"Notifications\s*<span class=\"unread-count\">\(2 unread\)</span>", html)
    assert html.index("New badge: Early bird") < html.index("Your week on Civiquest")
    assert html.count("badge-unread") == 2 and "You earned 40 points this week in 2 active challenges" in html
    assert "Rewards, streaks and badges" in html and "2 unread notifications." in html


def test_mark_one_read_then_all(resident_client, note):
    """POST …/read marks one; POST read-all marks the rest; the header count disappears."""
    user = resident_client.user
    for _ in range(3):
        note(user, kind="digest", message="weekly_digest")
    with resident_client.application.app_context():
        first_id = db.session.scalar(select(Notification.id).order_by(Notification.id))
    response = resident_client.post(f"/me/notifications/{first_id}/read?page=1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/notifications?page=1")
    assert "(2 unread)" in page(resident_client)
    response = resident_client.post("/me/notifications/read-all", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "2 notifications marked as read." in html and "unread-count" not in html and "badge-unread" not in html


def test_someone_elses_notification_is_not_found(resident_client, make_user, note):
    """Another resident's notification cannot be read or opened."""
    note(make_user(), link="/rewards")
    with resident_client.application.app_context():
        other_id = db.session.scalar(select(Notification.id))
    assert resident_client.post(f"/me/notifications/{other_id}/read").status_code == 404
    assert resident_client.get(f"/me/notifications/{other_id}/open").status_code == 404


def test_opening_a_notification_follows_its_link_and_marks_it_read(resident_client, note):
    """GET …/open redirects to the notification's path and marks it read."""
    note(resident_client.user, kind="consent_expiry", message="consent_expiring", link="/me/consents")
    with resident_client.application.app_context():
        notification_id = db.session.scalar(select(Notification.id))
    assert f"/me/notifications/{notification_id}/open" in page(resident_client)
    response = resident_client.get(f"/me/notifications/{notification_id}/open")
    assert response.status_code == 302 and response.headers["Location"] == "/me/consents"
    with resident_client.application.app_context():
        assert db.session.scalar(select(Notification.read_at)) is not None


def test_a_link_to_another_site_is_never_followed(resident_client):
    """Even a row written past notify() with an outside link only leads back to the list."""
    with resident_client.application.app_context():
        row = Notification(user_id=resident_client.user.id, kind="rewards", message="x", params={},
                           link="//evil.example/", key="evil", created_at=WEDNESDAY)  # fmt: skip
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    response = resident_client.get(f"/me/notifications/{row_id}/open")
    assert response.headers["Location"] == "/me/notifications"


def test_pages_of_twenty(resident_client, note):
    """The list is paginated by 20."""
    for _ in range(21):
        note(resident_client.user, kind="digest", message="weekly_digest")
    assert "Page 1 of 2" in page(resident_client) and "Page 2 of 2" in page(resident_client, "/me/notifications?page=2")


def test_preferences_form_saves_a_choice_per_kind(resident_client):
    """One radio group per kind; saving stores the choices; account news is not offered."""
    html = page(resident_client, PAGES[1])
    for kind in ("digest", "challenge_reminders", "advice", "rewards", "consent_expiry"):
        assert f'name="{kind}"' in html
    assert 'name="account"' not in html
    data = {"digest": "off", "challenge_reminders": "in_app", "advice": "in_app", "rewards": "off",
            "consent_expiry": "in_app"}  # fmt: skip
    response = resident_client.post(PAGES[1], data=data, follow_redirects=True)
    assert "Your notification settings are saved." in response.get_data(as_text=True)
    with resident_client.application.app_context():
        stored = {row.kind: row.channel for row in db.session.scalars(select(NotificationPreference))}
    assert stored["digest"] == "off" and stored["rewards"] == "off" and stored["advice"] == "in_app"


def test_email_is_disabled_with_a_reason_without_smtp(resident_client):
    """Without SMTP the email choices are disabled and explained; posting one anyway is refused with 422."""
    html = page(resident_client, PAGES[1])
    assert "this site does not send email" in html
    assert re.search(r'<input[^>]*disabled[^>]*value="email"|<input[^>]*value="email"[^>]*disabled', html)
    data = {"digest": "email", "challenge_reminders": "in_app", "advice": "in_app", "rewards": "in_app",
            "consent_expiry": "in_app"}  # fmt: skip
    response = resident_client.post(PAGES[1], data=data)
    assert response.status_code == 422 and "Email is not possible" in response.get_data(as_text=True)


def test_email_can_be_chosen_when_smtp_is_set(resident_client, email_settings):
    """With SMTP and an address the email choice is enabled and saved."""
    html = page(resident_client, PAGES[1])
    assert "email-unavailable" not in html
    data = {"digest": "email", "challenge_reminders": "in_app", "advice": "off", "rewards": "in_app",
            "consent_expiry": "email"}  # fmt: skip
    assert resident_client.post(PAGES[1], data=data).status_code == 302


@pytest.mark.parametrize("bad", [{"digest": "sms"}, {"digest": ""}, {}])
def test_preferences_form_refuses_unknown_or_missing_choices(resident_client, bad):
    """A value not offered, or a group left out, is a 422 with the error summary."""
    data = {"digest": "in_app", "challenge_reminders": "in_app", "advice": "in_app", "rewards": "in_app",
            "consent_expiry": "in_app"}  # fmt: skip
    data.update(bad)
    if not bad:
        del data["digest"]
    response = resident_client.post(PAGES[1], data=data)
    assert response.status_code == 422 and "Please correct the following" in response.get_data(as_text=True)


def test_posts_need_the_csrf_token(resident_client, app, monkeypatch):
    """With CSRF protection on, a post without the token changes nothing."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert resident_client.post("/me/notifications/read-all").status_code == 400


@pytest.mark.parametrize("role", ["manager", "staff", "admin", "partner"])
def test_every_role_has_notifications(app, make_user, login, role):
    """Notifications are for any logged-in account, not only residents."""
    client = app.test_client()
    login(client, make_user(role=role))
    assert client.get(PAGES[0]).status_code == 200 and client.get(PAGES[1]).status_code == 200
