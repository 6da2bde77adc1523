"""What statistics keep: the privacy budget each resident has spent on open-data releases, per year, and the
city impact board's daily snapshot."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db


class PrivacySpend(db.Model):
    """Epsilon of one resident's data spent by open-data releases in one calendar year.

    Every release charges each resident whose data it uses, whatever its period or range, so a new
    range or period length never starts a fresh budget; a release that would take any of them past the
    yearly total is refused (stats.open_data). Deleting the account deletes the row.
    """

    __tablename__ = "privacy_spend"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    spent_epsilon: Mapped[float] = mapped_column(Float, default=0.0)
    releases: Mapped[int] = mapped_column(Integer, default=0)


class ImpactSnapshot(db.Model):
    """The city impact board as published on one city day: protected figures only, nothing about a person.

    Computed once a day (the first request or the job), so the public page is cheap, every visitor and
    process sees the same numbers, and the data use log gets one entry a day instead of one per visit.
    """

    __tablename__ = "impact_snapshot"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    figures: Mapped[dict] = mapped_column(JSON)
    data_use_id: Mapped[int | None] = mapped_column(ForeignKey("data_use.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
