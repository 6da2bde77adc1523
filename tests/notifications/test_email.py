"""Email by the outbox job, received by a real local SMTP server: language, multipart, retries, never twice."""

from datetime import timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.extensions import db
from notifications import email, services, tasks
from notifications.models import Notification, OutboxEmail
from sharing import defaults
from sharing.models import DataCategory
from tests.notifications.conftest import WEDNESDAY, Inbox

CONSENT = {"category": "energy_readings", "purpose": "municipal_statistics", "expires_at": WEDNESDAY.isoformat()}


def queue(user, note, kind="consent_expiry", message="consent_expiring", params=CONSENT, key=None):
    services.set_preferences(user, {kind: "email"})
    db.session.commit()
    note(user, kind=kind, message=message, params=params, link="/me/consents", key=key)
    return db.session.scalar(select(OutboxEmail).order_by(OutboxEmail.id.desc()))


def test_the_job_sends_a_multipart_email_in_german_to_a_german_resident(ctx, make_user, note, smtp_server):
    """Plain text and HTML, subject and body in German (date and catalogue names), link to the site."""
    defaults.install_defaults()
    user = make_user(language="de", email="anna@example.org", pseudonym="Anna")
    queue(user, note)
    assert tasks.send_emails(now=WEDNESDAY) == 1
    [message] = smtp_server.inbox.messages
    assert message["To"] == "anna@example.org" and "no-reply@civiquest.test" in message["From"]
    assert "12. März 2025" in message["Subject"]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Anna" in text and "12. März 2025" in text and "https://civiquest.test/me/consents" in text
    assert 'lang="de"' in html and 'href="https://civiquest.test/me/consents"' in html
    german_category = db.session.scalar(select(DataCategory.name_de).where(DataCategory.code == "energy_readings"))
    assert german_category and german_category in text
    row = db.session.scalar(select(OutboxEmail))
    assert (row.attempts, row.sent_at, row.next_attempt_at, row.last_error) == (1, WEDNESDAY, None, None)


def test_an_english_resident_gets_english(ctx, make_user, note, smtp_server):
    """The same message for an English-speaking resident is in English."""
    user = make_user(language="en")
    queue(user, note, kind="rewards", message="badge_awarded", params={"badge": "Early bird"})
    tasks.send_emails(now=WEDNESDAY)
    [message] = smtp_server.inbox.messages
    assert message["Subject"] == "New badge: Early bird"
    assert "You earned the badge “Early bird”" in message.get_body(("plain",)).get_content()


def test_server_down_counts_an_attempt_and_retries_later_and_never_sends_twice(ctx, make_user, note, email_settings):
    """No server: attempts 1 and a later next attempt; once it is up the email goes, exactly once."""
    user = make_user()
    row_id = queue(user, note).id
    assert tasks.send_emails(now=WEDNESDAY) == 0
    row = db.session.get(OutboxEmail, row_id)
    assert row.attempts == 1 and row.sent_at is None and row.last_error
    assert row.next_attempt_at == WEDNESDAY + email.RETRY_BASE

    assert tasks.send_emails(now=WEDNESDAY + timedelta(minutes=1)) == 0  # not due yet
    assert db.session.get(OutboxEmail, row_id).attempts == 1

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=email_settings)
    controller.start()
    try:
        later = WEDNESDAY + timedelta(minutes=3)
        assert tasks.send_emails(now=later) == 1
        assert tasks.send_emails(now=later + timedelta(hours=1)) == 0
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    db.session.expire_all()
    row = db.session.get(OutboxEmail, row_id)
    assert (row.attempts, row.sent_at, row.next_attempt_at) == (2, later, None)


def test_backoff_doubles_and_gives_up_after_five_attempts(ctx, make_user, note, email_settings):
    """Waits of 2, 4, 8 and 16 minutes; after the fifth failure no further attempt is planned."""
    row_id = queue(make_user(), note).id
    moment, waits = WEDNESDAY, []
    for _ in range(email.MAX_ATTEMPTS):
        tasks.send_emails(now=moment)
        row = db.session.get(OutboxEmail, row_id)
        if row.next_attempt_at is None:
            break
        waits.append(row.next_attempt_at - moment)
        moment = row.next_attempt_at
    assert waits == [timedelta(minutes=minutes) for minutes in (2, 4, 8, 16)]
    assert row.attempts == email.MAX_ATTEMPTS and row.sent_at is None and row.next_attempt_at is None
    assert tasks.send_emails(now=moment + timedelta(days=1)) == 0


def test_without_smtp_host_nothing_is_sent_and_nothing_fails(ctx, app, make_user, note, smtp_server, monkeypatch):
    """Rows queued earlier wait while SMTP_HOST is unset; the job does nothing and raises nothing."""
    queue(make_user(), note)
    monkeypatch.setitem(app.config, "SMTP_HOST", None)
    assert tasks.send_emails(now=WEDNESDAY) == 0
    assert smtp_server.inbox.messages == []
    assert db.session.scalar(select(OutboxEmail)).attempts == 0


def test_a_deleted_notification_takes_its_queued_email_along(ctx, make_user, note, email_settings):
    """The outbox row goes with its notification (account deletion erases notifications)."""
    queue(make_user(), note)
    db.session.execute(Notification.__table__.delete())
    db.session.commit()
    assert db.session.scalar(select(OutboxEmail)) is None


def test_a_job_without_a_request_queues_german_and_sends_it(app, make_user, smtp_server):
    """notify() from a scheduled job (app context only, no request) renders in the resident's language."""
    user = make_user(language="de")
    with app.app_context():
        services.set_preferences(db.session.get(type(user), user.id), {"rewards": "email"})
        params = {"reward": "Kino", "expires_at": WEDNESDAY.isoformat()}
        assert services.notify(user.id, "rewards", "voucher_expiring", "voucher:1", params, "/me/vouchers", WEDNESDAY)
        db.session.commit()
        assert tasks.send_emails(now=WEDNESDAY) == 1
    [message] = smtp_server.inbox.messages
    assert (
        "12. März 2025" in message["Subject"]
        and "https://civiquest.test/me/vouchers" in message.get_body(("plain",)).get_content()
    )
