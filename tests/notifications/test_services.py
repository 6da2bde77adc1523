"""notify(): unique keys, preferences per kind, the weekly quiet limit, email fallback; reading and settings."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from notifications import errors, services
from notifications.models import Channel, Kind, Notification, OutboxEmail
from notifications.services import Outcome
from tests.notifications.conftest import WEDNESDAY


def count(model=Notification) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_key_makes_a_second_notification_impossible(ctx, make_user, note):
    """The same key twice stores one notification; notify() answers True only the first time."""
    user = make_user()
    assert services.notify(user.id, "rewards", "badge_awarded", "badge:1", {"badge": "Early bird"}, now=WEDNESDAY)
    assert not services.notify(user.id, "rewards", "badge_awarded", "badge:1", {"badge": "Early bird"}, now=WEDNESDAY)
    assert note(user, key="badge:1") is Outcome.DUPLICATE
    assert count() == 1


def test_positional_call_of_older_callers_still_works(ctx, make_user):
    """notify(user_id, kind, message, key, params, link=..., now=...) as data sharing calls it."""
    user = make_user()
    params = {"category": "energy_readings", "purpose": "municipal_statistics", "expires_at": WEDNESDAY.isoformat()}
    assert services.notify(user.id, "consent_expiry", "consent_expiring", "consent-expiry:1", params,
                           link="/me/consents", now=WEDNESDAY)  # fmt: skip
    stored = db.session.scalar(select(Notification))
    assert (stored.kind, stored.link, stored.created_at, stored.read_at) == ("consent_expiry", "/me/consents",
                                                                              WEDNESDAY, None)  # fmt: skip


def test_a_kind_switched_off_is_not_stored(ctx, make_user, note):
    """Preference off: nothing is stored and notify() answers False; other kinds still arrive."""
    user = make_user()
    services.set_preferences(user, {"rewards": "off"})
    db.session.commit()
    assert note(user, kind="rewards") is Outcome.OFF
    assert note(user, kind="challenge_reminders", message="challenge_ending") is Outcome.STORED
    assert count() == 1


def test_account_news_always_arrives_and_cannot_be_switched_off(ctx, make_user, note):
    """Kind account is not a choice: setting it is refused, and it arrives in-app."""
    user = make_user()
    with pytest.raises(errors.InvalidPreferences):
        services.set_preferences(user, {"account": "off"})
    assert services.channel_for(user.id, Kind.ACCOUNT) is Channel.IN_APP
    assert note(user, kind="account", message="anything") is Outcome.STORED


def test_quiet_limit_holds_back_the_fourth_nudge_of_a_week(ctx, make_user, note):
    """Three nudges a week by default; the fourth is held back, digest and consent expiry still arrive."""
    user, other = make_user(), make_user()
    for kind in ("rewards", "challenge_reminders", "advice"):
        assert note(user, kind=kind, message="streak", now=WEDNESDAY) is Outcome.STORED
    assert note(user, kind="rewards", now=WEDNESDAY + timedelta(days=1)) is Outcome.QUIET
    assert note(user, kind="digest", message="weekly_digest") is Outcome.STORED
    assert note(user, kind="consent_expiry", message="consent_expiring") is Outcome.STORED
    assert note(user, kind="account", message="anything") is Outcome.STORED
    assert note(other, kind="rewards") is Outcome.STORED  # per resident
    assert services.nudges_this_week(user.id, WEDNESDAY) == 3


def test_quiet_limit_counts_per_calendar_week_in_the_city(ctx, make_user, note):
    """The week starts Monday 00:00 in Berlin: Sunday 23:30 UTC already belongs to the next week."""
    user = make_user()
    for _ in range(3):
        note(user, now=WEDNESDAY)
    sunday_late_utc = WEDNESDAY.replace(day=16, hour=22, minute=30)  # Sunday 23:30 in Berlin (CET)
    monday_berlin = WEDNESDAY.replace(day=16, hour=23, minute=30)  # Monday 00:30 in Berlin
    assert note(user, now=sunday_late_utc) is Outcome.QUIET
    assert note(user, now=monday_berlin) is Outcome.STORED


def test_quiet_limit_is_configurable(ctx, app, make_user, note, monkeypatch):
    """NUDGES_PER_WEEK sets the limit."""
    monkeypatch.setitem(app.config, "NUDGES_PER_WEEK", 1)
    user = make_user()
    assert note(user) is Outcome.STORED
    assert note(user) is Outcome.QUIET


def test_unknown_kinds_and_outside_links_are_programming_errors(ctx, make_user):
    """A kind not in Kind, or a link to another site, raises instead of storing something wrong."""
    user = make_user()
    with pytest.raises(ValueError):
        services.notify(user.id, "reward", "badge_awarded", "k1", now=WEDNESDAY)
    for link in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil.example"):
        with pytest.raises(ValueError):
            services.notify(user.id, "rewards", "badge_awarded", "k2", link=link, now=WEDNESDAY)
    assert count() == 0


def test_email_preference_without_smtp_stays_in_app(ctx, make_user, note):
    """Without SMTP_HOST email cannot be chosen, and a stored email choice falls back to in-app only."""
    user = make_user()
    with pytest.raises(errors.InvalidPreferences) as refused:
        services.set_preferences(user, {"digest": "email"})
    assert set(refused.value.errors) == {"digest"}
    db.session.add(services.NotificationPreference(user_id=user.id, kind="digest", channel=Channel.EMAIL))
    db.session.commit()
    assert note(user, kind="digest", message="weekly_digest") is Outcome.STORED
    assert count(OutboxEmail) == 0


def test_email_needs_an_address(ctx, make_user, email_settings):
    """A resident without an email address (registered at a service desk) cannot choose email."""
    user = make_user()
    user.email = None
    db.session.commit()
    assert not services.email_possible(user)
    with pytest.raises(errors.InvalidPreferences):
        services.set_preferences(user, {"rewards": "email"})


def test_email_preference_queues_an_email_in_the_residents_language(ctx, make_user, note, email_settings):
    """Email chosen and SMTP set: stored in-app and queued, rendered in German for a German resident."""
    user = make_user(language="de")
    services.set_preferences(user, {"consent_expiry": "email", "rewards": "in_app"})
    db.session.commit()
    params = {"category": "x", "purpose": "y", "expires_at": WEDNESDAY.isoformat()}
    assert note(user, kind="consent_expiry", message="consent_expiring", params=params,
                link="/me/consents") is Outcome.STORED  # fmt: skip
    assert note(user, kind="rewards") is Outcome.STORED
    row = db.session.scalar(select(OutboxEmail))
    assert count(OutboxEmail) == 1 and count() == 2
    assert (row.to_address, row.attempts, row.next_attempt_at, row.sent_at) == (user.email, 0, WEDNESDAY, None)
    assert "12. März 2025" in row.subject and "12. März 2025" in row.body_text
    assert 'lang="de"' in row.body_html and "https://civiquest.test/me/consents" in row.body_html


def test_preferences_default_to_in_app_and_change_per_kind(ctx, make_user, email_settings):
    """Every choosable kind starts in-app; set_preferences changes only the kinds given."""
    user = make_user()
    assert set(services.preferences(user).values()) == {Channel.IN_APP}
    assert Kind.ACCOUNT not in services.preferences(user)
    services.set_preferences(user, {"advice": "off", "digest": "email"})
    services.set_preferences(user, {"advice": "in_app"})
    chosen = services.preferences(user)
    assert (chosen[Kind.ADVICE], chosen[Kind.DIGEST], chosen[Kind.REWARDS]) == ("in_app", "email", "in_app")


def test_reading_marks_and_counts(ctx, make_user, note):
    """mark_read keeps the first time; mark_all_read touches only the resident's unread ones."""
    user, other = make_user(), make_user()
    for _ in range(3):
        note(user, kind="digest", message="weekly_digest")
    note(other)
    first = db.session.scalars(services.notifications_of(user.id)).first()
    services.mark_read(first, now=WEDNESDAY)
    services.mark_read(first, now=WEDNESDAY + timedelta(hours=1))
    assert first.read_at == WEDNESDAY and services.unread_count(user.id) == 2
    assert services.mark_all_read(user) == 2
    assert services.unread_count(user.id) == 0 and services.unread_count(other.id) == 1
    with pytest.raises(errors.NotFound):
        services.own_notification(other, first.id)
