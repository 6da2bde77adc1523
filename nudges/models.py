"""Funding programmes: the catalogue of subsidies the energy advice points residents to."""

from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import bilingual
from app.columns import UTCDateTime, utcnow
from app.extensions import db
from neighbourhoods.models import Neighbourhood

# Which neighbourhoods a programme is limited to; none means the whole city.
programme_neighbourhood = Table(
    "funding_programme_neighbourhood",
    db.metadata,
    Column("programme_id", ForeignKey("funding_programme.id", ondelete="CASCADE"), primary_key=True),
    Column("neighbourhood_id", ForeignKey("neighbourhood.id", ondelete="CASCADE"), primary_key=True),
)


class FundingProgramme(db.Model):
    """A subsidy a resident may apply for, described in English and German, with who is eligible."""

    __tablename__ = "funding_programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_de: Mapped[str] = mapped_column(String(120))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_de: Mapped[str] = mapped_column(Text, default="")
    provider: Mapped[str] = mapped_column(String(120))
    funds_en: Mapped[str] = mapped_column(String(200))  # what it pays for, e.g. "a new A-class fridge"
    funds_de: Mapped[str] = mapped_column(String(200))
    min_household_size: Mapped[int | None] = mapped_column(Integer)  # None: no lower limit
    max_household_size: Mapped[int | None] = mapped_column(Integer)  # None: no upper limit
    link: Mapped[str] = mapped_column(String(300))  # the provider's page, http(s)
    valid_until: Mapped[date | None] = mapped_column(Date)  # last day to apply, city calendar; None: open-ended
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    neighbourhoods: Mapped[list[Neighbourhood]] = relationship(
        secondary=programme_neighbourhood, order_by=Neighbourhood.name, lazy="selectin"
    )

    def text(self, field: str, language: str) -> str:
        """A translated field (`name`, `description`, `funds`) in `language`, the other one when it is empty."""
        return bilingual.text(self, field, language)
