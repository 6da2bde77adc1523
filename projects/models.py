"""Community projects and the pledges that fund them.

A project's `pledged` is the sum of its pledges' `amount`, written only while its row is held (the
pledge's lock order: the resident, then the project's row; app.locks). It never passes `target`: a
pledge takes only what is still needed, so a project is funded exactly at its target.
"""

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from app.bilingual import bilingual
from app.columns import UTCDateTime, utcnow
from app.extensions import db
from neighbourhoods.models import Neighbourhood


class ProjectStatus(enum.StrEnum):
    OPEN = "open"  # taking pledges until its deadline
    FUNDED = "funded"  # reached its target; the points are spent on it
    FAILED = "failed"  # the deadline passed short of the target; every pledge was returned
    CANCELLED = "cancelled"  # a manager called it off; every pledge was returned


ENDED_WITH_REFUNDS = (ProjectStatus.FAILED, ProjectStatus.CANCELLED)


def _enum(kind, name: str):
    return Enum(kind, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Project(db.Model):
    """A tree for the school yard, a bike rack, a repair café: a points target to reach by a deadline."""

    __tablename__ = "community_project"
    __table_args__ = (
        CheckConstraint("target > 0", name="target_positive"),
        CheckConstraint("pledged >= 0 AND pledged <= target", name="pledged_within_target"),
        Index("ix_community_project_status_deadline", "status", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Prose a manager writes, in both languages (app.bilingual).
    title_en: Mapped[str] = mapped_column(String(120), default="")
    title_de: Mapped[str] = mapped_column(String(120), default="", server_default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_de: Mapped[str] = mapped_column(Text, default="", server_default="")
    # None: the whole city; else only residents of this neighbourhood may pledge.
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhood.id"))
    target: Mapped[int] = mapped_column(Integer)
    pledged: Mapped[int] = mapped_column(Integer, default=0)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[ProjectStatus] = mapped_column(_enum(ProjectStatus, "project_status"), default=ProjectStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # funded, failed or cancelled
    backers_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # funded: every backer told

    neighbourhood: Mapped[Neighbourhood | None] = relationship(lazy="joined")

    title = bilingual("title")
    description = bilingual("description")

    @property
    def still_needed(self) -> int:
        return self.target - self.pledged


class Pledge(db.Model):
    """Points a resident gave a project: a `pledge` debit in the ledger, returned by a refund entry if it fails."""

    __tablename__ = "pledge"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("offered >= amount", name="offered_covers_amount"),
        UniqueConstraint("user_id", "idempotency_key", name="uq_pledge_user_idempotency_key"),
        Index("ix_pledge_project_refunded", "project_id", "refunded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("community_project.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    offered: Mapped[int] = mapped_column(Integer)  # what the resident offered
    amount: Mapped[int] = mapped_column(Integer)  # what the project took: never more than it still needed
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)  # the resident agreed to be listed by pseudonym
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    project: Mapped[Project] = relationship(lazy="joined")
    user: Mapped[User] = relationship()
