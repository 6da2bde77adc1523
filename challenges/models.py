import enum
from datetime import date, datetime, time, timedelta

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from app import locks
from app.bilingual import bilingual
from app.columns import UTCDateTime, utcnow
from app.extensions import db
from challenges.flags import describe
from challenges.scoring import Category, Format, Metric, Mode
from neighbourhoods.models import Neighbourhood


class Status(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    ACTIVE = "active"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class SubmissionKind(enum.StrEnum):
    READING = "reading"
    TRIP = "trip"


class SubmissionStatus(enum.StrEnum):
    ACCEPTED = "accepted"
    FLAGGED = "flagged"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by the resident who sent it, with a reason


# Held for review still counts as sent: a duplicate of it is refused, and a day's trips are judged with it.
# It counts for nothing else: a held reading is no base of the next one until it is approved.
LIVE = (SubmissionStatus.ACCEPTED, SubmissionStatus.FLAGGED)


def _enum(enum_class, name):
    return Enum(enum_class, native_enum=False, length=20, name=name, values_callable=lambda e: [m.value for m in e])


class Challenge(db.Model):
    """A competition with its scoring rule, period, prizes and status."""

    __tablename__ = "challenge"
    __table_args__ = (
        CheckConstraint("points_per_unit >= 0", name="points_per_unit_not_negative"),
        Index("ix_challenge_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Prose a manager writes, in both languages (app.bilingual): one may be empty, the other is shown instead.
    title_en: Mapped[str] = mapped_column(String(120), default="")
    title_de: Mapped[str] = mapped_column(String(120), default="", server_default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_de: Mapped[str] = mapped_column(Text, default="", server_default="")
    category: Mapped[Category] = mapped_column(_enum(Category, "category"))
    metric: Mapped[Metric] = mapped_column(_enum(Metric, "metric"))
    format: Mapped[Format] = mapped_column(_enum(Format, "format"))
    status: Mapped[Status] = mapped_column(_enum(Status, "status"), default=Status.DRAFT)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    points_per_unit: Mapped[float] = mapped_column(Float, default=1.0)
    daily_point_cap: Mapped[int | None] = mapped_column(Integer)
    target: Mapped[float | None] = mapped_column(Float)  # collective: the city's goal, in units
    completion_goal: Mapped[float | None] = mapped_column(Float)  # a resident's goal, in units
    completion_bonus: Mapped[int] = mapped_column(default=0)
    placement_points: Mapped[list] = mapped_column(JSON, default=lambda: [0, 0, 0])  # 1st, 2nd, 3rd
    max_kwh_per_day: Mapped[float] = mapped_column(Float, default=60.0)
    max_km_per_day: Mapped[float] = mapped_column(Float, default=150.0)
    total_units: Mapped[float] = mapped_column(Float, default=0.0)  # kept up to date incrementally
    participant_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # After the end, activity dated inside the challenge is still taken for this many days (STADTRADELN: 7);
    # the challenge closes, and final ranks and prizes are settled, when they are over.
    late_entry_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Whether the boards show a team ranking beside the others. Team totals are kept for every challenge,
    # so a manager may switch it on while the challenge runs and the ranking is complete at once.
    ranks_teams: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    created_by: Mapped[User | None] = relationship()
    changes: Mapped[list["ChallengeChange"]] = relationship(
        back_populates="challenge", order_by="ChallengeChange.changed_at.desc()", cascade="all, delete-orphan"
    )

    title = bilingual("title")
    description = bilingual("description")

    @property
    def late_entries_until(self) -> datetime | None:
        """When the late-entry days are over and the challenge closes; None while it has no end."""
        return self.ends_at + timedelta(days=self.late_entry_days or 0) if self.ends_at else None

    @property
    def is_published(self) -> bool:
        return self.status in (Status.SCHEDULED, Status.ACTIVE, Status.CLOSED)

    @property
    def accepts_submissions(self) -> bool:
        return self.status == Status.ACTIVE

    def __repr__(self) -> str:
        return f"<Challenge {self.id} {self.status}>"


# A challenge's row is the lock its totals are written under (app.locks: the first step of the lock order).
locks.register_challenges(Challenge.__table__)


class ChallengeChange(db.Model):
    """One edit made after publishing: who changed which field from what to what, and when."""

    __tablename__ = "challenge_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    challenge: Mapped[Challenge] = relationship(back_populates="changes")
    user: Mapped[User | None] = relationship()


class Enrollment(db.Model):
    """A resident taking part in a challenge, with their baseline and running score."""

    __tablename__ = "enrollment"
    __table_args__ = (
        UniqueConstraint("challenge_id", "user_id", name="uq_enrollment_challenge_user"),
        # The leaderboard reads standings in (score, id) order from this index, ties included, and
        # counts score ranges on it. The id matters on PostgreSQL: without it a tie group would be
        # read and sorted (SQLite ends every index entry with the rowid anyway).
        Index("ix_enrollment_leaderboard", "challenge_id", "active", "score", "id"),
        Index("ix_enrollment_challenge_neighbourhood", "challenge_id", "neighbourhood_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhood.id"))
    household_size: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False after leaving
    baseline_kwh_per_day: Mapped[float | None] = mapped_column(Float)
    baseline_source: Mapped[str | None] = mapped_column(String(20))  # "readings" | "reference"
    score: Mapped[float] = mapped_column(Float, default=0.0)
    points: Mapped[int] = mapped_column(default=0)
    final_rank: Mapped[int | None] = mapped_column(Integer)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    challenge: Mapped[Challenge] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    neighbourhood: Mapped[Neighbourhood | None] = relationship()
    assisted_by: Mapped[User | None] = relationship(foreign_keys=[assisted_by_id])


class Submission(db.Model):
    """A meter reading or a trip a resident sent to a challenge, and what it counted for."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key", name="uq_submission_user_idempotency_key"),
        Index("ix_submission_enrollment_kind_time", "enrollment_id", "kind", "read_at"),
        Index("ix_submission_challenge_status", "challenge_id", "status"),
        Index("ix_submission_enrollment_day", "enrollment_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"))
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[SubmissionKind] = mapped_column(_enum(SubmissionKind, "submission_kind"))
    status: Mapped[SubmissionStatus] = mapped_column(_enum(SubmissionStatus, "submission_status"))
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    # Meter reading: the meter's cumulative kWh at a moment.
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    meter_kwh: Mapped[float | None] = mapped_column(Float)
    # Trip: a day, a mode, a distance, and whether it replaced a car trip.
    day: Mapped[date | None] = mapped_column(Date)
    trip_time: Mapped[time | None] = mapped_column(Time)  # optional, tells two same trips of a day apart
    mode: Mapped[Mode | None] = mapped_column(_enum(Mode, "mode"))
    distance_km: Mapped[float | None] = mapped_column(Float)
    replaced_car: Mapped[bool | None] = mapped_column(Boolean)
    # What it counted for: consumption (readings), units in the challenge's metric, points.
    consumed_kwh: Mapped[float | None] = mapped_column(Float)
    units: Mapped[float] = mapped_column(Float, default=0.0)
    points: Mapped[int] = mapped_column(default=0)
    # What it saved while it counts (scoring.Impact), and the enrollment's neighbourhood: statistics add these
    # up over millions of rows without a join or a formula per row.
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhood.id"))
    kwh_saved: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    car_km_avoided: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    co2_kg_avoided: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # Held for review: the rule broken and its numbers (challenges.flags words them for each reader).
    flag_rule: Mapped[str | None] = mapped_column(String(20))
    flag_values: Mapped[dict | None] = mapped_column(JSON)
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)  # the resident's own words, kept
    source: Mapped[str] = mapped_column(String(20), default="web")  # web | api | csv | assisted
    assisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    challenge: Mapped[Challenge] = relationship()
    enrollment: Mapped[Enrollment] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    assisted_by: Mapped[User | None] = relationship(foreign_keys=[assisted_by_id])

    @property
    def flag_reason(self) -> str | None:
        """Why it was held for review, in the reader's language (None when it never was)."""
        return describe(self.flag_rule, self.flag_values)


class AssistedActionKind(enum.StrEnum):
    REGISTERED = "registered"
    CODE_REISSUED = "code_reissued"
    JOINED = "joined"
    READING = "reading"
    TRIP = "trip"


class AssistedAction(db.Model):
    """Something a manager did at a service desk on a resident's behalf, with the manager's name."""

    __tablename__ = "assisted_action"
    __table_args__ = (Index("ix_assisted_action_resident_created", "resident_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AssistedActionKind] = mapped_column(_enum(AssistedActionKind, "assisted_action_kind"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    # The name as it was, so the log keeps saying who acted even after a rename.
    manager_name: Mapped[str] = mapped_column(String(40))
    challenge_id: Mapped[int | None] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    resident: Mapped[User] = relationship(foreign_keys=[resident_id])
    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])
    challenge: Mapped[Challenge | None] = relationship()
    submission: Mapped[Submission | None] = relationship()


class NeighbourhoodScore(db.Model):
    """A neighbourhood's running total in one challenge, kept up to date with every score change."""

    __tablename__ = "neighbourhood_score"
    __table_args__ = (
        UniqueConstraint("challenge_id", "neighbourhood_id", name="uq_neighbourhood_score_challenge_place"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), index=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhood.id", ondelete="CASCADE"))
    total_units: Mapped[float] = mapped_column(Float, default=0.0)
    participants: Mapped[int] = mapped_column(default=0)

    neighbourhood: Mapped[Neighbourhood] = relationship()
