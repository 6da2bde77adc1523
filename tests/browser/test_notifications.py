"""Notifications in Chromium: the unread count in the header, the list (mark one, mark all read), and the settings.

Every page state the tests reach is checked against WCAG 2.1 A/AA with axe-core.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from accounts.models import User
from app.columns import utcnow
from app.extensions import db
from notifications import services
from notifications.models import Channel, Kind
from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible


@pytest.fixture
def reader(app, make_user):
    """A resident with three unread notifications, the newest first: a badge, the digest, a challenge ending."""
    resident = make_user(pseudonym="Mira")
    now = utcnow()
    news = [
        ("challenge_reminders", "challenge_ending", {"challenge": "Bike weeks", "ends_at": now.isoformat()}, "/"),
        ("digest", "weekly_digest", {"points": 40, "challenges": 2}, None),  # not counted as a nudge
        ("rewards", "badge_awarded", {"badge": "Early bird"}, None),
    ]
    with app.test_request_context():
        for minutes, (kind, message, params, link) in enumerate(news):
            services.notify(resident.id, kind, message, f"browser:{minutes}", params, link,
                            now=now - timedelta(minutes=30 - minutes))  # fmt: skip
        db.session.commit()
    return resident


def test_read_notifications_from_the_header(page, reader):
    """The header counts the unread; marking one read and then all read brings the count to none."""
    log_in(page, reader)
    header = page.get_by_role("navigation", name="Main")
    expect(header.get_by_role("link", name="Notifications (3 unread)")).to_be_visible()
    header.get_by_role("link", name=re.compile(r"^Notifications")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_text("3 unread notifications.")).to_be_visible()
    items = page.get_by_role("main").get_by_role("listitem")
    expect(items).to_have_count(3)
    expect(items.first.get_by_role("heading")).to_have_text("Unread New badge: Early bird")
    expect(items.first).to_contain_text("You earned the badge “Early bird”. Well done!")
    assert_accessible(page)

    items.first.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_role("status")).to_have_text("Marked as read.")
    expect(header.get_by_role("link", name="Notifications (2 unread)")).to_be_visible()
    expect(items.first.get_by_role("button", name="Mark as read")).to_have_count(0)
    expect(items.first.get_by_text("Unread", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Mark as read")).to_have_count(2)
    assert_accessible(page)

    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_role("status")).to_have_text("2 notifications marked as read.")
    expect(header.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    expect(page.get_by_text("0 unread notifications.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Mark"))).to_have_count(0)
    assert_accessible(page)


def test_switch_a_kind_off(app, page, reader):
    """In the settings a resident turns challenge reminders off; the choice is kept and stored; German passes."""
    log_in(page, reader)
    page.goto("/me/notifications")
    page.get_by_role("link", name="Notification settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification settings")
    reminders = page.get_by_role("group", name="Challenge reminders")
    expect(reminders.get_by_label("In the app", exact=True)).to_be_checked()
    expect(page.get_by_role("radio", name="In the app and by email").first).to_be_disabled()  # no SMTP in tests
    assert_accessible(page)

    reminders.get_by_label("Off").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text("Your notification settings are saved.")
    expect(page.get_by_role("group", name="Challenge reminders").get_by_label("Off")).to_be_checked()
    expect(page.get_by_role("group", name="Weekly digest").get_by_label("In the app", exact=True)).to_be_checked()
    assert_accessible(page)
    with app.app_context():
        choices = services.preferences(db.session.get(User, reader.id))
        assert choices[Kind.CHALLENGE_REMINDERS] is Channel.OFF

    with app.app_context():
        db.session.get(User, reader.id).language = "de"
        db.session.commit()
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert_accessible(page)
