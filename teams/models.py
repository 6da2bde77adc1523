"""Teams: residents playing together (a school class, a company, a club, a family, friends), with a captain.

A resident belongs to at most one team at a time, whatever the challenge (see the README's "Teams"):
`team_member.user_id` is unique, so two joins sent at once cannot both succeed. A request to join an
open team is a member row in the `requested` state until the captain accepts it.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.columns import UTCDateTime, utcnow
from app.extensions import db


class TeamKind(StrEnum):
    SCHOOL = "school"
    COMPANY = "company"
    CLUB = "club"
    FAMILY = "family"
    FRIENDS = "friends"
    OTHER = "other"


class TeamStatus(StrEnum):
    """Names are public text: a team appears publicly only once a manager approved it; hidden ones never do."""

    PENDING = "pending"
    APPROVED = "approved"
    HIDDEN = "hidden"


class MemberState(StrEnum):
    REQUESTED = "requested"
    MEMBER = "member"


def _enum(kind, name: str):
    return Enum(kind, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Team(db.Model):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[TeamKind] = mapped_column(_enum(TeamKind, "team_kind"))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[TeamStatus] = mapped_column(_enum(TeamStatus, "team_status"), default=TeamStatus.PENDING)
    # Open teams take requests to join; every team takes its invitation code.
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    invite_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list["TeamMember"]] = relationship(back_populates="team", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Team {self.name!r}>"


class TeamMember(db.Model):
    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("user_id", name="one_team_per_resident"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    state: Mapped[MemberState] = mapped_column(_enum(MemberState, "team_member_state"))
    is_captain: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship(back_populates="members")
    user = relationship("User")


class TeamReport(db.Model):
    """A resident's report that a team's name or description is offensive, for the managers to look at."""

    __tablename__ = "team_report"
    __table_args__ = (UniqueConstraint("team_id", "user_id", name="one_report_per_resident"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
