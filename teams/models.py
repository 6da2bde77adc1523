"""Teams: residents playing together (a school class, a company, a club, a family, friends), with a captain.

A resident belongs to at most one team at a time, whatever the challenge (see the README's "Teams"):
`team_member.user_id` is unique, so two joins sent at once cannot both succeed. A request to join an
open team is a member row in the `requested` state until the captain accepts it.

Sub-teams (a school's classes, a company's departments) are teams with a `parent_id`, one level deep:
a sub-team has no sub-teams of its own. A resident in a sub-team counts for its parent too; the
parent's captain founds and runs its sub-teams (a sub-team has no captain of its own).

`TeamScore` is a team's running total in one challenge, kept by leaderboards.team_totals in the
transaction of every score change and every move between teams.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Enum, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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
    # A sub-team's parent (one level deep); None for a team of its own.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)

    parent: Mapped["Team | None"] = relationship(remote_side=[id], back_populates="sub_teams")
    sub_teams: Mapped[list["Team"]] = relationship(back_populates="parent", cascade="all, delete-orphan",
                                                   order_by="Team.name")  # fmt: skip
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
    # "Show my contribution to my team": off by default; the captain sees a member's score only when on.
    shows_contribution: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

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


class TeamScore(db.Model):
    """A team's running total in one challenge: its active participants' scores and how many they are.

    A resident in a sub-team counts in the sub-team's row and in its parent's. Both columns are only
    ever added to in the database (`x = x + :d`); `per_member` is set from them in the same
    transaction, under the row lock the addition took. The boards read one challenge's rows in
    (score, id) order from the two indexes.
    """

    __tablename__ = "team_score"
    __table_args__ = (
        UniqueConstraint("challenge_id", "team_id", name="uq_team_score_challenge_team"),
        Index("ix_team_score_per_member", "challenge_id", "per_member", "id"),
        Index("ix_team_score_total", "challenge_id", "total_units", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    total_units: Mapped[float] = mapped_column(Float, default=0.0)
    members: Mapped[int] = mapped_column(Integer, default=0)  # members taking part (active) in the challenge
    per_member: Mapped[float] = mapped_column(Float, default=0.0)
