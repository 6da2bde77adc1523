"""Points as money: an append-only ledger, the reward catalogue and its vouchers, badges."""

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.naming import conv

from accounts.models import User
from app.bilingual import bilingual
from app.columns import UTCDateTime, utcnow
from app.extensions import db


def _enum(enum_class, name: str, length: int = 20):
    return Enum(enum_class, native_enum=False, length=length, name=name, values_callable=lambda e: [m.value for m in e])


class EntryKind(enum.StrEnum):
    ACTIVITY = "activity"
    BONUS = "bonus"
    PRIZE = "prize"
    STREAK = "streak"
    DATA_CREDIT = "data_credit"
    REDEMPTION = "redemption"
    REFUND = "refund"
    REVERSAL = "reversal"
    PLEDGE = "pledge"  # points given to a community project (projects/), and given back if it fails


# What counts towards levels: points earned, less what was taken back; spending does not lower a level.
EARNING_KINDS = (
    EntryKind.ACTIVITY, EntryKind.BONUS, EntryKind.PRIZE, EntryKind.STREAK, EntryKind.DATA_CREDIT, EntryKind.REVERSAL,
)  # fmt: skip


class PointsAccount(db.Model):
    """Formerly the ledger's lock row; no longer written, since a resident's lock is their user row (app.locks).

    Kept so this restructuring changes no schema; a later migration may drop the table. No running
    balance is kept anywhere: the balance is always the sum of the entries.
    """

    __tablename__ = "points_account"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    changes: Mapped[int] = mapped_column(Integer, default=0)


class LedgerEntry(db.Model):
    """One credit or debit; never updated or deleted. A correction is a new `reversal` entry."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        UniqueConstraint("source_key", name="uq_ledger_entry_source_key"),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        Index("ix_ledger_entry_user_created", "user_id", "created_at", "id"),
        Index("ix_ledger_entry_user_kind_amount", "user_id", "kind", "amount"),
        Index("ix_ledger_entry_source", "source_type", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    amount: Mapped[int] = mapped_column(Integer)
    kind: Mapped[EntryKind] = mapped_column(_enum(EntryKind, "entry_kind"))
    # The reason as a code and its values, rendered in the reader's language (rewards.display).
    reason: Mapped[str] = mapped_column(String(40))
    reason_params: Mapped[dict] = mapped_column(JSON, default=dict)
    # What it came from, e.g. ("submission", 17); the unique key makes crediting one event twice impossible.
    source_type: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int | None] = mapped_column(Integer)
    source_key: Mapped[str] = mapped_column(String(120))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reverses: Mapped["LedgerEntry | None"] = relationship(remote_side=[id])


# Catalogue -----------------------------------------------------------------------------------


class PartnerKind(enum.StrEnum):
    MUNICIPAL = "municipal"
    TRANSPORT = "transport"
    CULTURE = "culture"
    SHOP = "shop"
    OTHER = "other"


class Partner(db.Model):
    """Who honours vouchers: the municipal pool, public transport, a museum, a local shop."""

    __tablename__ = "partner"
    # The constraint kept its name when the column became name_en (migration c4e8a1d7f2b6); conv() keeps the
    # naming convention from renaming it.
    __table_args__ = (UniqueConstraint("name_en", name=conv("uq_partner_name")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name_en: Mapped[str] = mapped_column(String(120))  # unique, in English: how staff tell partners apart
    name_de: Mapped[str] = mapped_column(String(120), default="", server_default="")
    kind: Mapped[PartnerKind] = mapped_column(_enum(PartnerKind, "partner_kind"), default=PartnerKind.OTHER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list["PartnerMember"]] = relationship(back_populates="partner", cascade="all, delete-orphan")

    name = bilingual("name")


class PartnerMember(db.Model):
    """A partner account: a user with the partner role who validates this partner's vouchers."""

    __tablename__ = "partner_member"
    __table_args__ = (UniqueConstraint("partner_id", "user_id", name="uq_partner_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)

    partner: Mapped[Partner] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class Reward(db.Model):
    """An item of the catalogue; `stock` None means unlimited, `per_resident_limit` None no limit."""

    __tablename__ = "reward"
    __table_args__ = (
        CheckConstraint("cost > 0", name="cost_positive"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        CheckConstraint("per_resident_limit IS NULL OR per_resident_limit > 0", name="limit_positive"),
        Index("ix_reward_active_cost", "active", "cost"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"))
    # Prose a manager writes, in both languages (app.bilingual).
    title_en: Mapped[str] = mapped_column(String(120), default="")
    title_de: Mapped[str] = mapped_column(String(120), default="", server_default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_de: Mapped[str] = mapped_column(Text, default="", server_default="")
    cost: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int | None] = mapped_column(Integer)  # left to redeem
    redeemed_count: Mapped[int] = mapped_column(Integer, default=0)
    per_resident_limit: Mapped[int | None] = mapped_column(Integer)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    partner: Mapped[Partner] = relationship(lazy="joined")

    title = bilingual("title")
    description = bilingual("description")

    @property
    def sold_out(self) -> bool:
        return self.stock is not None and self.stock <= 0


class VoucherStatus(enum.StrEnum):
    ISSUED = "issued"
    USED = "used"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    VOIDED = "voided"  # unused when its holder deleted their account; refunded to the books, back in stock


class Voucher(db.Model):
    """What a redemption gives: an unguessable code the partner marks used exactly once."""

    __tablename__ = "voucher"
    __table_args__ = (
        UniqueConstraint("code", name="uq_voucher_code"),
        UniqueConstraint("user_id", "idempotency_key", name="uq_voucher_user_idempotency_key"),
        Index("ix_voucher_user_reward", "user_id", "reward_id", "status"),
        Index("ix_voucher_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    reward_id: Mapped[int] = mapped_column(ForeignKey("reward.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    cost: Mapped[int] = mapped_column(Integer)  # what was paid, whatever the catalogue says later
    status: Mapped[VoucherStatus] = mapped_column(_enum(VoucherStatus, "voucher_status"), default=VoucherStatus.ISSUED)
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # Or the partner system (a till's organisation client) that accepted it.
    validated_by_client_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation_client.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # cancelled or expired

    reward: Mapped[Reward] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    validated_by: Mapped[User | None] = relationship(foreign_keys=[validated_by_id])


# Badges --------------------------------------------------------------------------------------


class BadgeRule(enum.StrEnum):
    FIRST_SUBMISSION = "first_submission"
    STREAK = "streak"
    CHALLENGE_COMPLETED = "challenge_completed"
    TOP_10 = "top_10"
    NEIGHBOURHOOD_WINNER = "neighbourhood_winner"
    DATA_SHARER = "data_sharer"


class BadgeClass(db.Model):
    """A badge admins define; residents earn it automatically by its rule (Open Badges BadgeClass)."""

    __tablename__ = "badge_class"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Prose an admin writes, in both languages (app.bilingual).
    name_en: Mapped[str] = mapped_column(String(80), default="")
    name_de: Mapped[str] = mapped_column(String(80), default="", server_default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_de: Mapped[str] = mapped_column(Text, default="", server_default="")
    criteria_en: Mapped[str] = mapped_column(Text, default="")
    criteria_de: Mapped[str] = mapped_column(Text, default="", server_default="")
    image_svg: Mapped[str] = mapped_column(Text)
    rule: Mapped[BadgeRule | None] = mapped_column(_enum(BadgeRule, "badge_rule", 30), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    name = bilingual("name")
    description = bilingual("description")
    criteria = bilingual("criteria")


class BadgeAward(db.Model):
    """A badge a resident earned, published as an Open Badges 2.0 hosted assertion unless made private."""

    __tablename__ = "badge_award"
    __table_args__ = (
        UniqueConstraint("badge_id", "user_id", name="uq_badge_award_badge_user"),
        UniqueConstraint("uid", name="uq_badge_award_uid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32))  # the public, unguessable part of the assertion's URL
    badge_id: Mapped[int] = mapped_column(ForeignKey("badge_class.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    salt: Mapped[str] = mapped_column(String(32))  # for the hashed recipient email
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)  # e.g. {"challenge_id": 3}
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    badge: Mapped[BadgeClass] = relationship(lazy="joined")
    user: Mapped[User] = relationship()
