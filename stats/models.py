"""What statistics keep: the privacy budget spent on each open-data dataset."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db


class PrivacyBudget(db.Model):
    """Epsilon spent on one dataset's differentially private releases; they add up to at most the total."""

    __tablename__ = "privacy_budget"
    __table_args__ = (CheckConstraint("spent_epsilon <= total_epsilon + 1e-9", name="budget_not_overspent"),)

    dataset: Mapped[str] = mapped_column(
        String(120), primary_key=True
    )  # e.g. "participation:week:2026-01-05:2026-03-29"
    total_epsilon: Mapped[float] = mapped_column(Float)
    spent_epsilon: Mapped[float] = mapped_column(Float, default=0.0)
    releases: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
