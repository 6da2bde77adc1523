"""Telling residents things, once: every notification has a unique key, so a job run twice sends nothing twice."""

from datetime import datetime

from sqlalchemy import select

from app.columns import utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.upserts import dialect_insert


def notify(user_id: int, kind: str, message: str, key: str, params: dict | None = None, link: str | None = None,
           now: datetime | None = None) -> bool:  # fmt: skip
    """Store a notification unless one with `key` exists; True when it is new."""
    statement = dialect_insert(Notification.__table__).values(
        user_id=user_id, kind=kind, message=message, params=params or {}, link=link, key=key, created_at=now or utcnow()
    )
    return bool(db.session.execute(statement.on_conflict_do_nothing()).rowcount)


def notifications_of(user_id: int):
    """A resident's notifications, newest first."""
    return select(Notification).where(Notification.user_id == user_id).order_by(Notification.created_at.desc())
