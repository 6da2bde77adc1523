from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


class Street(db.Model):
    """A street (or the part of it under one postcode) and the neighbourhood it lies in, to help residents choose.

    `name_key` is the name as the lookup compares it (`neighbourhoods.street_names.street_key`): "Hauptstr.",
    "Hauptstraße" and "haupt-strasse" are one street, so a name is unique per postcode in that form.
    """

    __tablename__ = "street"
    __table_args__ = (UniqueConstraint("name_key", "postcode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), index=True)
    postcode: Mapped[str] = mapped_column(String(5), index=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhood.id", ondelete="CASCADE"), index=True)
    neighbourhood: Mapped[Neighbourhood] = relationship()

    def __repr__(self) -> str:
        return f"<Street {self.name!r} {self.postcode}>"
