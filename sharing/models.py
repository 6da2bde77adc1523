"""Data sharing: what data exists, for which purposes it may be used, residents' consents, and the use log."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from app.bilingual import bilingual
from app.columns import UTCDateTime, utcnow
from app.extensions import db


class Level(enum.StrEnum):
    """How detailed a use of data is, from most to least detailed."""

    INDIVIDUAL = "individual"  # pseudonymised records of this resident
    NEIGHBOURHOOD = "neighbourhood"  # aggregates per neighbourhood
    CITY = "city"  # city-wide aggregates, fit for open data


# A consent at one level also allows every less detailed level.
DETAIL = {Level.INDIVIDUAL: 0, Level.NEIGHBOURHOOD: 1, Level.CITY: 2}
DURATIONS = (3, 6, 12)  # months a consent may run


def levels_allowed_by(level: Level) -> tuple[Level, ...]:
    return tuple(other for other in Level if DETAIL[other] >= DETAIL[level])


def levels_allowing(level: Level) -> tuple[Level, ...]:
    """Consent levels that cover a use at `level`: that level and every more detailed one."""
    return tuple(other for other in Level if DETAIL[other] <= DETAIL[level])


def _enum(enum_class, name: str):
    return Enum(enum_class, native_enum=False, length=20, name=name, values_callable=lambda e: [m.value for m in e])


class DataCategory(db.Model):
    """A kind of personal data Civiquest holds: meter readings, trips, the household profile."""

    __tablename__ = "data_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # what code asks the gate about
    name_en: Mapped[str] = mapped_column(String(120))
    name_de: Mapped[str] = mapped_column(String(120))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_de: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)


class Purpose(db.Model):
    """What data may be used for, explained in plain words, and who uses it."""

    __tablename__ = "purpose"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_de: Mapped[str] = mapped_column(String(120))
    explanation_en: Mapped[str] = mapped_column(Text)
    explanation_de: Mapped[str] = mapped_column(Text)
    # Who uses the data, in both languages (app.bilingual); the German one may be empty.
    organisation_en: Mapped[str] = mapped_column(String(160))
    organisation_de: Mapped[str] = mapped_column(String(160), default="", server_default="")
    third_party: Mapped[bool] = mapped_column(default=False)  # data leaves the city's administration
    active: Mapped[bool] = mapped_column(default=True)

    organisation = bilingual("organisation")


class EndReason(enum.StrEnum):
    REVOKED = "revoked"
    EXPIRED = "expired"
    CHANGED = "changed"  # replaced by a new grant with another level or duration
    ACCOUNT_DELETED = "account_deleted"
    PURPOSE_CHANGED = "purpose_changed"  # the catalogue entry's wording changed (sharing/catalogue.py)


class Consent(db.Model):
    """One grant: a resident lets one purpose use one category at one level, for a while.

    Never overwritten: a change ends this grant and starts a new one, so the history stays.
    In force from `granted_at` until `expires_at` or `ended_at` (sharing.gate says exactly when).
    """

    __tablename__ = "consent"
    __table_args__ = (
        UniqueConstraint("receipt_id", name="uq_consent_receipt_id"),
        Index("ix_consent_gate", "category_id", "purpose_id", "level", "ended_at", "expires_at"),
        Index("ix_consent_user", "user_id", "granted_at"),
        CheckConstraint("duration_months IN (3, 6, 12)", name="duration_months_allowed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[str] = mapped_column(String(36))  # a UUID, the consent receipt's id
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("data_category.id"))
    purpose_id: Mapped[int] = mapped_column(ForeignKey("purpose.id"))
    level: Mapped[Level] = mapped_column(_enum(Level, "sharing_level"))
    duration_months: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(20), default="web")  # how it was collected: web | api | paper
    # Given on paper at the service desk: the manager who entered it and the signed form's reference.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    paper_reference: Mapped[str | None] = mapped_column(String(80))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[EndReason | None] = mapped_column(_enum(EndReason, "consent_end_reason"))
    expiry_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    category: Mapped[DataCategory] = relationship(lazy="joined")
    purpose: Mapped[Purpose] = relationship(lazy="joined")


class CreditRate(db.Model):
    """Weekly data-dividend points per level, from a week on; admins add rows for future weeks."""

    __tablename__ = "credit_rate"
    __table_args__ = (
        UniqueConstraint("level", "effective_from", name="uq_credit_rate_level_from"),
        CheckConstraint("base_points >= 0 AND points_per_record >= 0 AND max_records >= 0", name="rates_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[Level] = mapped_column(_enum(Level, "sharing_level"))
    effective_from: Mapped[date] = mapped_column(Date)  # a Monday, in the city's calendar
    base_points: Mapped[int] = mapped_column(Integer)  # for a week in which the consent brought data
    points_per_record: Mapped[int] = mapped_column(Integer)  # for each reading or trip that week
    max_records: Mapped[int] = mapped_column(Integer)  # records counted at most per week
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DataUse(db.Model):
    """One export or job that used personal data; written by code, never edited."""

    __tablename__ = "data_use"
    __table_args__ = (Index("ix_data_use_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(120))  # who ran it, e.g. a staff pseudonym or "scheduler"
    # The purpose's organisation at the time of the use, in both languages (app.bilingual).
    organisation_en: Mapped[str] = mapped_column(String(160))
    organisation_de: Mapped[str] = mapped_column(String(160), default="", server_default="")
    purpose_id: Mapped[int] = mapped_column(ForeignKey("purpose.id"))
    categories: Mapped[list] = mapped_column(JSON)  # category codes
    level: Mapped[Level] = mapped_column(_enum(Level, "sharing_level"))
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    resident_count: Mapped[int] = mapped_column(Integer)
    excluded_count: Mapped[int] = mapped_column(Integer, default=0)  # left out for lack of consent
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = bilingual("organisation")

    purpose: Mapped[Purpose] = relationship(lazy="joined")


class DataUseResident(db.Model):
    """A resident whose data went into a data use, so each can see every use of theirs."""

    __tablename__ = "data_use_resident"
    __table_args__ = (Index("ix_data_use_resident_user", "user_id", "data_use_id"),)

    data_use_id: Mapped[int] = mapped_column(ForeignKey("data_use.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
