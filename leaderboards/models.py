"""Standings kept for the leaderboards: season points per period, daily snapshots of ranks, and each
challenge's score histogram."""

import enum
from datetime import date

from sqlalchemy import Date, Enum, Float, ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class Period(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


class SeasonPoints(db.Model):
    """A resident's points from every challenge in one period: a week, a month, or all time.

    Kept incrementally from `app.signals.submission_scored`; the season leaderboard reads
    one period's rows in (points, id) order from `ix_season_points_period_points`.
    """

    __tablename__ = "season_points"
    __table_args__ = (
        UniqueConstraint("user_id", "period", "period_start", name="uq_season_points_user_period"),
        Index("ix_season_points_period_points", "period", "period_start", "points", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    period: Mapped[Period] = mapped_column(
        Enum(Period, native_enum=False, length=8, name="season_period", values_callable=lambda e: [m.value for m in e])
    )
    # The week's Monday, the month's first day, or ALL_TIME_START, all in the city's calendar.
    period_start: Mapped[date] = mapped_column(Date)
    points: Mapped[int] = mapped_column(Integer, default=0)


class SeasonPeriod(db.Model):
    """How many residents have points in one period, kept with SeasonPoints so no page counts them all."""

    __tablename__ = "season_period"
    __table_args__ = (UniqueConstraint("period", "period_start", name="uq_season_period_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[Period] = mapped_column(
        Enum(Period, native_enum=False, length=8, name="season_period", values_callable=lambda e: [m.value for m in e])
    )
    period_start: Mapped[date] = mapped_column(Date)
    participants: Mapped[int] = mapped_column(Integer, default=0)


class RankSnapshot(db.Model):
    """A participant's rank and score in a running challenge at the end of a day (city time)."""

    __tablename__ = "rank_snapshot"
    __table_args__ = (UniqueConstraint("enrollment_id", "day", name="uq_rank_snapshot_enrollment_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)


class ScoreBucket(db.Model):
    """How many active participants of a challenge have a score in one bucket (see leaderboards.histogram).

    Kept incrementally from `app.signals.enrollment_changed`, so that a rank is a sum over a
    few hundred buckets plus a count inside one, whatever the size of the field. Rows whose count
    falls to 0 stay: deleting them would race with a concurrent insert of the same bucket.
    """

    __tablename__ = "leaderboard_score_bucket"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entries: Mapped[int] = mapped_column(Integer, default=0)


class SeasonBucket(db.Model):
    """How many residents have season points in one score bucket of one period (see leaderboards.histogram).

    Kept with SeasonPoints in the same statement's wake, so the season board's "my rank" is a sum over
    a few hundred buckets plus a count inside one, as the challenge board's is. Rows falling to 0 stay.
    """

    __tablename__ = "season_score_bucket"

    period: Mapped[Period] = mapped_column(
        Enum(Period, native_enum=False, length=8, name="season_period", values_callable=lambda e: [m.value for m in e]),
        primary_key=True,
    )
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entries: Mapped[int] = mapped_column(Integer, default=0)
