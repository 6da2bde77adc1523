"""Telling residents things, once and as they asked: every notification has a unique key, so a job run
twice sends nothing twice; each resident chooses per kind in-app, email or off; and nudges are held
back once a resident had NUDGES_PER_WEEK of them in a calendar week."""

import enum
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select, update

from accounts.models import User
from app.clock import week_start_at
from app.columns import utcnow
from app.extensions import db
from app.locks import lock_resident
from app.upserts import dialect_insert
from notifications import email, errors
from notifications.models import (
    CHOOSABLE_KINDS,
    UNCOUNTED_KINDS,
    Channel,
    Kind,
    Notification,
    NotificationPreference,
)


class Outcome(enum.StrEnum):
    STORED = "stored"  # new, shown in-app (and queued by email when chosen)
    DUPLICATE = "duplicate"  # a notification with this key exists
    OFF = "off"  # the resident switched this kind off
    QUIET = "quiet"  # the weekly quiet limit is reached


def notify(user_id: int, kind: str, message: str, key: str, params: dict | None = None, link: str | None = None,
           now: datetime | None = None) -> bool:  # fmt: skip
    """Store a notification unless one with `key` exists or the resident does not want it; True when new."""
    return deliver(user_id, kind, message, key, params, link, now) is Outcome.STORED


def deliver(user_id: int, kind: str, message: str, key: str, params: dict | None = None, link: str | None = None,
            now: datetime | None = None) -> Outcome:  # fmt: skip
    """notify(), saying why a notification was not stored: duplicate key, kind switched off, or quiet limit."""
    kind, now = Kind(kind), now or utcnow()
    if link is not None and not is_internal(link):
        raise ValueError(f"notification links must be paths inside the site, not {link!r}")
    channel = channel_for(user_id, kind)
    if channel is Channel.OFF:
        return Outcome.OFF
    if kind not in UNCOUNTED_KINDS and _quiet(user_id, now):
        return Outcome.QUIET
    statement = dialect_insert(Notification.__table__).values(
        user_id=user_id, kind=kind.value, message=message, params=params or {}, link=link, key=key, created_at=now
    )
    notification_id = db.session.scalar(statement.on_conflict_do_nothing().returning(Notification.id))
    if notification_id is None:
        return Outcome.DUPLICATE
    if channel is Channel.EMAIL:
        user = db.session.get(User, user_id)
        if email_possible(user):
            email.enqueue(db.session.get(Notification, notification_id), user, now)
    return Outcome.STORED


def warn(user_id: int, message: str, key: str, params: dict | None = None, now: datetime | None = None) -> bool:
    """An account notice that must reach its owner: in-app, and by email too, whatever they chose, where possible."""
    now = now or utcnow()
    if deliver(user_id, Kind.ACCOUNT, message, key, params, now=now) is not Outcome.STORED:
        return False
    user = db.session.get(User, user_id)
    if email_possible(user):
        email.enqueue(db.session.scalar(select(Notification).where(Notification.key == key)), user, now)
    return True


def is_internal(link: str) -> bool:
    """True for a path on this site ("/me/consents"), never for another site ("//evil.example", "https://…")."""
    parts = urlsplit(link)
    inside = link.startswith("/") and not link.startswith("//") and "\\" not in link
    return inside and not parts.scheme and not parts.netloc


# The weekly quiet limit ----------------------------------------------------------------------


def nudges_this_week(user_id: int, now: datetime) -> int:
    """How many counted notifications the resident got in the calendar week of `now`."""
    start = week_start_at(now)
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(
            Notification.user_id == user_id, Notification.kind.not_in([k.value for k in UNCOUNTED_KINDS]),
            Notification.created_at >= start, Notification.created_at < start + timedelta(days=7),
        )
    )  # fmt: skip


def _quiet(user_id: int, now: datetime) -> bool:
    # Concurrent senders queue on the resident's lock, so together they cannot pass the limit.
    lock_resident(user_id)
    return nudges_this_week(user_id, now) >= current_app.config["NUDGES_PER_WEEK"]


# Preferences ----------------------------------------------------------------------------------


def channel_for(user_id: int, kind: Kind) -> Channel:
    """The channel the resident chose for `kind`; account news always arrives in-app."""
    if kind is Kind.ACCOUNT:
        return Channel.IN_APP
    # Fresh from the database: set_preferences() writes with a Core upsert the session does not see.
    chosen = db.session.get(NotificationPreference, (user_id, kind.value), populate_existing=True)
    return chosen.channel if chosen is not None else Channel.IN_APP


def preferences(user: User) -> dict[Kind, Channel]:
    """The channel of every choosable kind, in-app where nothing was chosen."""
    query = select(NotificationPreference).where(NotificationPreference.user_id == user.id)
    rows = db.session.scalars(query.execution_options(populate_existing=True))
    chosen = {row.kind: row.channel for row in rows}
    return {kind: chosen.get(kind.value, Channel.IN_APP) for kind in CHOOSABLE_KINDS}


def email_possible(user: User) -> bool:
    """Email can be chosen: the resident has an address and the site can send mail."""
    return bool(user.email) and email.configured()


def set_preferences(user: User, choices: dict, now: datetime | None = None) -> dict[Kind, Channel]:
    """Change the channels of the kinds in `choices`; email is refused where it is not possible."""
    choices = {Kind(kind): Channel(channel) for kind, channel in choices.items()}
    if Kind.ACCOUNT in choices:
        raise errors.InvalidPreferences({Kind.ACCOUNT.value: errors.ACCOUNT_FIXED})
    if not email_possible(user):
        refused = {kind.value: errors.NO_EMAIL for kind, channel in choices.items() if channel is Channel.EMAIL}
        if refused:
            raise errors.InvalidPreferences(refused)
    for kind, channel in choices.items():
        statement = dialect_insert(NotificationPreference.__table__).values(
            user_id=user.id, kind=kind.value, channel=channel.value, updated_at=now or utcnow()
        )
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["user_id", "kind"], set_={"channel": channel.value, "updated_at": now or utcnow()}
        ))  # fmt: skip
    return preferences(user)


# Reading -------------------------------------------------------------------------------------


def notifications_of(user_id: int, unread_only: bool = False):
    """A resident's notifications, newest first."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def unread_count(user_id: int) -> int:
    """How many of the resident's notifications are unread."""
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == user_id,
                                                              Notification.read_at.is_(None))
    )  # fmt: skip


def own_notification(user: User, notification_id: int) -> Notification:
    """The resident's notification by id; NotFound for anybody else's."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise errors.NotFound()
    return notification


def mark_read(notification: Notification, now: datetime | None = None) -> Notification:
    """Mark one notification read; reading it again keeps the first time."""
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        db.session.flush()
    return notification


def mark_all_read(user: User, now: datetime | None = None) -> int:
    """Mark every unread notification of the resident read; how many there were."""
    return db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow()).execution_options(synchronize_session="fetch")
    ).rowcount  # fmt: skip
