"""The demo city's utility: a `readings:write` client, meters linked (with consent) for some demo residents,
and a day of readings pushed for them through the same ingest as the API."""

from datetime import date, timedelta

from sqlalchemy import func, select

from accounts.models import Role, User
from app.clock import day_bounds
from app.extensions import db
from challenges.models import Submission, SubmissionKind
from clients import services as clients
from clients.models import OrganisationClient
from clients.scopes import READINGS_WRITE
from connectors import services
from connectors.formats import Row
from connectors.models import MeterDay, MeterLink
from sharing import defaults
from sharing import services as sharing
from sharing.models import DataCategory, Purpose

CLIENT_NAME, ORGANISATION = "Meter data export (demo)", "Stadtwerke"
LINKED_RESIDENTS = 20


def utility_client() -> OrganisationClient:
    """The demo utility's client, registered on first use."""
    found = db.session.scalar(select(OrganisationClient).where(
        OrganisationClient.name == CLIENT_NAME, OrganisationClient.revoked_at.is_(None)))  # fmt: skip
    if found is not None:
        return found
    client, _secret = clients.register_client(CLIENT_NAME, ORGANISATION, [READINGS_WRITE])
    return client


def link_demo_meters() -> int:
    """Link a meter, with consent to challenge scoring, for the first demo residents without one; how many."""
    defaults.install_defaults()
    category = db.session.scalar(select(DataCategory).where(DataCategory.code == services.CATEGORY))
    purpose = db.session.scalar(select(Purpose).where(Purpose.code == services.PURPOSE))
    residents = db.session.scalars(
        select(User).where(User.role == Role.RESIDENT).order_by(User.id).limit(LINKED_RESIDENTS)).all()  # fmt: skip
    linked = 0
    for resident in residents:
        if services.meter_of(resident) is None:
            services.link_meter(resident, f"1DEMO{resident.id:07d}", f"K-{resident.id:06d}")
            linked += 1
        sharing.grant(resident, category, purpose, services.LEVEL, 12)
    return linked


def seed(day: date) -> str:
    """The demo city's utility: its client, meters linked with consent, and the day's readings pushed."""
    client = utility_client()
    linked = link_demo_meters()
    report = push_day(day, client)
    return f"{linked} linked meters, {report.days_stored} meter days delivered by the demo utility"


def push_day(day: date, client: OrganisationClient) -> services.Report:
    """A day of readings for every linked meter (morning, noon, night), as the utility's export would carry."""
    start, _end = day_bounds(day)
    rows, number = [], 0
    for link in db.session.scalars(select(MeterLink).order_by(MeterLink.id)):
        latest = (select(MeterDay.register_kwh).where(MeterDay.meter_number == link.meter_number, MeterDay.day < day)
                  .order_by(MeterDay.day.desc()).limit(1))  # fmt: skip
        before = db.session.scalar(latest)
        if before is None:  # go on from the resident's own typed readings, so the register never falls
            typed = select(func.max(Submission.meter_kwh)).where(Submission.user_id == link.user_id,
                                                                 Submission.kind == SubmissionKind.READING)  # fmt: skip
            before = db.session.scalar(typed)
        register = before if before is not None else 10_000.0 + link.user_id * 10
        use = 4.0 + (link.user_id % 7)  # a household's day, varied
        for hours, share in ((7, 0.2), (13, 0.55), (23.75, 1.0)):
            number += 1
            rows.append(
                Row(number, link.meter_number, start + timedelta(hours=hours), round(register + use * share, 3))
            )
    return services.ingest(rows, client, max_rows=len(rows) + 1)
