"""The personal data notifications hold about a resident: the notifications sent and how they want each kind.

One of the domains' `personal_data` modules that privacy/ asks for "download my data" and "delete my
account" (the list and its order: privacy/holders.py).
"""

from datetime import datetime

from sqlalchemy import or_, select

from accounts.models import User
from app.extensions import db
from app.personal_data import ExportLinks, as_json, delete_rows
from notifications.models import Notification, NotificationPreference, OutboxEmail
from notifications.services import notifications_of


def export(user: User, links: ExportLinks) -> dict[str, str]:
    """The notifications sent to the resident (newest first), copies of the emails, and their setting for each kind."""
    return {
        "notifications.json": as_json(_notifications(user)),
        "emails.json": as_json(_emails(user)),
        "notification_settings.json": as_json(_settings(user)),
    }


def _emails(user: User) -> list[dict]:
    """Copies of the emails sent (or still to be sent) to the resident, oldest first."""
    query = (
        select(OutboxEmail)
        .outerjoin(Notification, Notification.id == OutboxEmail.notification_id)
        .where(or_(Notification.user_id == user.id, OutboxEmail.user_id == user.id))
        .order_by(OutboxEmail.created_at, OutboxEmail.id)
    )
    return [{"to": e.to_address, "subject": e.subject, "text": e.body_text, "queued_at": e.created_at,
             "sent_at": e.sent_at} for e in db.session.scalars(query)]  # fmt: skip


def _notifications(user: User) -> list[dict]:
    return [
        {"kind": n.kind, "message": n.message, "params": n.params, "link": n.link, "created_at": n.created_at,
         "read_at": n.read_at}
        for n in db.session.scalars(notifications_of(user.id))
    ]  # fmt: skip


def _settings(user: User) -> dict:
    rows = db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    return {row.kind: str(row.channel) for row in rows}


def erase(user: User, now: datetime) -> dict[str, int]:
    """Delete the notifications (the database drops their emails with them), the service emails (password reset
    links) and the settings."""
    return {
        "service_emails": delete_rows(OutboxEmail, OutboxEmail.user_id == user.id),
        "notifications": delete_rows(Notification, Notification.user_id == user.id),
        "notification_settings": delete_rows(NotificationPreference, NotificationPreference.user_id == user.id),
    }
