import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.passwords import has_usable_password
from app import locks
from app.columns import UTCDateTime, utcnow
from app.extensions import db
from neighbourhoods.models import Neighbourhood


class Role(enum.StrEnum):
    RESIDENT = "resident"
    MANAGER = "manager"
    STAFF = "staff"
    ADMIN = "admin"
    PARTNER = "partner"  # validates the vouchers of the reward partners they belong to


def _enum_values(enum_class):
    return [member.value for member in enum_class]


# Record keys of the statistics' cell key method (stats/cellkey.py): integers modulo this prime.
RECORD_KEY_MODULUS = 2**31 - 1


def new_record_key() -> int:
    """A resident's record key: uniform in [0, RECORD_KEY_MODULUS), from the operating system's random source."""
    return secrets.randbelow(RECORD_KEY_MODULUS)


class User(UserMixin, db.Model):
    """Anyone with an account; residents are the people the programme is for."""

    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        CheckConstraint("household_size BETWEEN 1 AND 12", name="household_size_range"),
        CheckConstraint("text_scale BETWEEN 100 AND 200", name="text_scale_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Residents registered at a service desk may have no email address; they log in with a code.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # The printed log-in code's SHA-256; the code itself is shown once, on the sheet handed out.
    login_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    login_code_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pseudonym: Mapped[str] = mapped_column(String(40), unique=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=_enum_values, name="role"),
        default=Role.RESIDENT,
        index=True,
    )
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhood.id"), index=True)
    household_size: Mapped[int] = mapped_column(default=1)
    language: Mapped[str] = mapped_column(String(5), default="en")
    text_scale: Mapped[int] = mapped_column(default=100)
    line_spacing: Mapped[str] = mapped_column(String(10), default="normal")
    letter_spacing: Mapped[str] = mapped_column(String(10), default="normal")
    high_contrast: Mapped[bool] = mapped_column(Boolean, default=False)
    leaderboard_visible: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Fixed and secret: the cell key method derives each statistic's noise from its contributors' keys.
    # Rows created in bulk get theirs lazily (stats.cellkey.ensure_record_keys).
    record_key: Mapped[int | None] = mapped_column(default=new_record_key)

    neighbourhood: Mapped[Neighbourhood | None] = relationship(lazy="joined")
    tokens: Mapped[list["AccessToken"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="AccessToken.created_at.desc()"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses log-ins of deactivated accounts
        return self.active

    @property
    def has_password(self) -> bool:
        """False for residents registered at a service desk, who log in with a printed code."""
        return has_usable_password(self.password_hash)

    def has_role(self, *roles: Role | str) -> bool:
        """Admins pass every role check; everyone else must hold one of `roles`."""
        return self.role == Role.ADMIN or self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


# A resident's row is their lock (app.locks): ledger changes, consent changes and counted nudges queue on it.
locks.register_residents(User.__table__)


class AccessToken(db.Model):
    """A personal access token for scripts; only its SHA-256 is stored, the secret is shown once."""

    __tablename__ = "access_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="tokens")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ExternalIdentity(db.Model):
    """A sign-in at an OpenID Connect provider linked to an account: the provider's subject, never its tokens."""

    __tablename__ = "external_identity"
    __table_args__ = (UniqueConstraint("provider", "subject", name="uq_external_identity_provider_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(40))  # the name in OIDC_PROVIDERS
    subject: Mapped[str] = mapped_column(String(255))  # the provider's `sub`: stable, unique at that provider
    email: Mapped[str | None] = mapped_column(String(254))  # as the provider last gave it, for the profile page
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class UserSession(db.Model):
    """A log-in on one device: the signed session cookie names it, so ending it here logs that device out.

    Only the SHA-256 of the cookie's secret is stored, as for access tokens.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A session opened by signing in at an identity provider: which one, and its session id (`sid`) when it gave
    # one, so that the provider's back-channel logout can end it.
    provider: Mapped[str | None] = mapped_column(String(40))
    provider_sid: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship(lazy="joined")
