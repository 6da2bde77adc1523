from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db


class Neighbourhood(db.Model):
    """A named part of the city; `households` lets scores be normalised per household."""

    __tablename__ = "neighbourhood"
    __table_args__ = (CheckConstraint("households >= 1", name="households_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    households: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Neighbourhood {self.name!r}>"
