"""What statistics keep: the privacy budget each resident has spent on open-data releases, per year."""

from sqlalchemy import Float, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

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
