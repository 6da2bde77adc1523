"""A resident's link to their electricity meter, and the one value per meter and day the utility's delivery left."""

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db


class MeterLink(db.Model):
    """The meter number (Zählernummer) a resident linked, with the utility's customer number; a meter has one."""

    __tablename__ = "meter_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    meter_number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_number: Mapped[str] = mapped_column(String(32))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MeterDay(db.Model):
    """Minimised: a meter's last register value of a city day and that day's use — never the 15-minute profile.

    Unique per (meter, day), so a replayed delivery changes nothing.
    """

    __tablename__ = "meter_day"
    __table_args__ = (UniqueConstraint("meter_number", "day", name="uq_meter_day_meter_number_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    meter_number: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)
    register_kwh: Mapped[float] = mapped_column(Float)
    consumed_kwh: Mapped[float | None] = mapped_column(Float)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("organisation_client.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MeterDelivery(db.Model):
    """One delivery's outcome, kept for a bounded time so the client that sent it can fetch its rejected rows."""

    __tablename__ = "meter_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Who may fetch the report: the client that delivered, or the admin who delivered a file for the utility.
    client_id: Mapped[int | None] = mapped_column(ForeignKey("organisation_client.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    rejected_count: Mapped[int] = mapped_column(default=0)


class MeterRejection(db.Model):
    """A rejected row of a delivery: its number, the meter number as sent and why; never who is behind a meter."""

    __tablename__ = "meter_rejection"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("meter_delivery.id", ondelete="CASCADE"), index=True)
    row: Mapped[int] = mapped_column()
    meter_number: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200))
