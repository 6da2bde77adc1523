"""Notifications by email: rendered in the resident's language when queued, sent by a job, retried with backoff.

Email is optional. Without SMTP_HOST nothing is queued — notify() keeps the notification in-app only —
and the sending job does nothing, so nothing fails. Rows queued while email was set up wait until it is
set up again. Sending is at least once: an attempt is counted (and committed) before the message leaves,
so a crash can at worst repeat one message after its backoff, never send a batch again at once.
"""

import contextlib
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, has_request_context, request
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from app.i18n import locale_for
from notifications import display
from notifications.models import Kind, Notification, OutboxEmail

MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(minutes=2)  # then 4, 8 and 16 minutes between the five attempts
SMTP_TIMEOUT = 20
BATCH = 200  # rows per run; the rest go a minute later
PREFERENCES_PATH = "/me/notifications/preferences"


def configured() -> bool:
    """True when the site can send email (SMTP_HOST is set)."""
    return bool(current_app.config.get("SMTP_HOST"))


# Queueing ----------------------------------------------------------------------------------


def enqueue(notification: Notification, user, now: datetime) -> OutboxEmail:
    """Queue the notification's email to `user`, written in their language now."""
    with force_locale(locale_for(user.language)):
        subject, body = display.render(notification.message, notification.params)
        context = {
            "language": user.language, "name": user.pseudonym, "subject": subject, "body": body,
            "link": absolute(notification.link), "preferences_url": absolute(PREFERENCES_PATH),
            "kind_label": str(display.KIND_LABELS[Kind(notification.kind)]),
        }  # fmt: skip
        text = _render("notifications/email.txt", context)
        html = _render("notifications/email.html", context)
    row = OutboxEmail(notification_id=notification.id, to_address=user.email, subject=subject[:200], body_text=text,
                      body_html=html, attempts=0, next_attempt_at=now, created_at=now)  # fmt: skip
    db.session.add(row)
    db.session.flush()
    return row


def enqueue_service(to_address: str, language: str, subject, template: str, context: dict, now: datetime,
                    user_id: int | None = None) -> OutboxEmail:  # fmt: skip
    """Queue a service email that is no notification (a reset link, feedback to the city), written in `language`:
    `subject` a lazy string, the body the templates `<template>.txt` and `<template>.html`."""
    with force_locale(language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = str(subject)
        context = {**context, "language": language, "subject": subject}
        text = _render(f"{template}.txt", context)
        html = _render(f"{template}.html", context)
    row = OutboxEmail(user_id=user_id, to_address=to_address, subject=subject[:200], body_text=text, body_html=html,
                      attempts=0, next_attempt_at=now, created_at=now)  # fmt: skip
    db.session.add(row)
    db.session.flush()
    return row


def _render(name: str, context: dict) -> str:
    # Straight from the Jinja environment: the page context processors need a request and a logged-in user.
    return current_app.jinja_env.get_template(name).render(**context)


def absolute(path: str | None) -> str | None:
    """The path as a full address: SITE_URL, else the current request's host; None when neither is known."""
    base = current_app.config.get("SITE_URL") or (request.host_url if has_request_context() else None)
    if not path or not base:
        return None
    return base.rstrip("/") + path


# Sending -----------------------------------------------------------------------------------


def due(now: datetime, limit: int = BATCH) -> list[int]:
    """Ids of the queued emails whose next attempt is due, oldest first."""
    query = select(OutboxEmail.id).where(OutboxEmail.next_attempt_at <= now)
    return list(db.session.scalars(query.order_by(OutboxEmail.next_attempt_at, OutboxEmail.id).limit(limit)))


def claim(row_id: int, now: datetime) -> OutboxEmail | None:
    """Count an attempt and schedule the next one before sending; None when the row is not due any more."""
    query = select(OutboxEmail).where(OutboxEmail.id == row_id, OutboxEmail.next_attempt_at <= now)
    row = db.session.scalar(query.with_for_update(skip_locked=True))
    if row is None:
        return None
    row.attempts += 1
    row.next_attempt_at = now + RETRY_BASE * 2 ** (row.attempts - 1) if row.attempts < MAX_ATTEMPTS else None
    db.session.flush()
    return row


def send(row: OutboxEmail, sender: "Sender", now: datetime) -> bool:
    """Send a claimed email; on failure keep the error, the next attempt is already scheduled."""
    try:
        sender.send(build(row))
    except (smtplib.SMTPException, OSError) as error:
        row.last_error = (str(error) or type(error).__name__)[:500]
        db.session.flush()
        return False
    row.sent_at, row.next_attempt_at, row.last_error = now, None, None
    db.session.flush()
    return True


def build(row: OutboxEmail) -> EmailMessage:
    """The email as plain text with an HTML alternative."""
    message = EmailMessage()
    message["Subject"] = row.subject
    message["From"] = current_app.config["SMTP_SENDER"]
    message["To"] = row.to_address
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(idstring=f"outbox-{row.id}")
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies, please
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    return message


class Sender:
    """One SMTP connection per run, opened at the first message; when it cannot open, every send fails."""

    def __init__(self):
        self.smtp: smtplib.SMTP | None = None
        self.error: Exception | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.smtp.quit()

    def send(self, message: EmailMessage) -> None:
        if self.error is not None:
            raise self.error
        if self.smtp is None:
            try:
                self.smtp = _connect()
            except (smtplib.SMTPException, OSError) as error:
                self.error = error
                raise
        self.smtp.send_message(message)


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=SMTP_TIMEOUT)
    try:
        if config["SMTP_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp
