"""In-app notifications: what a resident is told, stored as a message code and its values; how they want
to be told (preferences per kind), and the emails waiting to be sent (the outbox)."""

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db


class Kind(enum.StrEnum):
    """What a notification is about; residents choose a channel per kind (except `account`)."""

    DIGEST = "digest"
    CHALLENGE_REMINDERS = "challenge_reminders"
    ADVICE = "advice"
    REWARDS = "rewards"
    CONSENT_EXPIRY = "consent_expiry"
    ACCOUNT = "account"  # must always arrive in-app; not a choice


CHOOSABLE_KINDS = (Kind.DIGEST, Kind.CHALLENGE_REMINDERS, Kind.ADVICE, Kind.REWARDS, Kind.CONSENT_EXPIRY)
# Not nudges, so not held back by the weekly quiet limit: the digest is the weekly summary the resident
# asked for, consent expiry is a legal notice (a consent must not lapse unannounced), account news is service.
UNCOUNTED_KINDS = frozenset({Kind.DIGEST, Kind.CONSENT_EXPIRY, Kind.ACCOUNT})


class Channel(enum.StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"  # in-app as well, and by email when the resident has an address and SMTP is set up
    OFF = "off"


def _enum_values(enum_class):
    return [member.value for member in enum_class]


class Notification(db.Model):
    """One message to one resident; `key` makes sending the same news twice impossible."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("key", name="uq_notification_key"),
        Index("ix_notification_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))  # a Kind's value
    message: Mapped[str] = mapped_column(String(40))  # a code rendered in the reader's language
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(200))  # a path inside the site
    key: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationPreference(db.Model):
    """How a resident wants news of one kind; no row means in-app."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    channel: Mapped[Channel] = mapped_column(
        Enum(Channel, native_enum=False, length=10, values_callable=_enum_values, name="channel")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxEmail(db.Model):
    """An email, rendered when queued; `next_attempt_at` is set while it still has to go.

    Most carry one notification and go with it. Service emails that are no notification (a password reset
    link, accessibility feedback to the city) have none; those to an account name it in `user_id`, so they
    go with the account too.
    """

    __tablename__ = "outbox_email"
    __table_args__ = (Index("ix_outbox_email_next_attempt_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None once sent or given up
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
