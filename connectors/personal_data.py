"""The resident's meter link and the daily values the utility delivered: exported, and deleted on erasure."""

from datetime import datetime

from sqlalchemy import select

from accounts.models import User
from app.extensions import db
from app.personal_data import ExportLinks, as_json, delete_rows
from connectors.models import MeterDay, MeterLink


def export(user: User, links: ExportLinks) -> dict[str, str]:
    """meter.json: the linked meter and every day's value and use the utility delivered."""
    link = db.session.scalar(select(MeterLink).where(MeterLink.user_id == user.id))
    days = db.session.scalars(select(MeterDay).where(MeterDay.user_id == user.id).order_by(MeterDay.day)).all()
    data = {
        "meter": None if link is None else {"meter_number": link.meter_number, "customer_number":
                                            link.customer_number, "linked_at": link.linked_at},
        "days": [{"day": day.day, "meter_number": day.meter_number, "read_at": day.read_at,
                  "register_kwh": day.register_kwh, "consumed_kwh": day.consumed_kwh, "source": "connector"}
                 for day in days],
    }  # fmt: skip
    return {"meter.json": as_json(data)}


def erase(user: User, now: datetime) -> dict[str, int]:
    """The link and the delivered days go; the readings they scored go with the challenges' submissions."""
    return {"meter_days": delete_rows(MeterDay, MeterDay.user_id == user.id),
            "meter_links": delete_rows(MeterLink, MeterLink.user_id == user.id)}  # fmt: skip
