"""Meter links and the utility's deliveries: only linked meters whose resident consents now are read, and each
meter keeps one value per city day (the day's last) with the day's use.

A delivered day scores in the resident's energy challenges through the same reading kind as a typed
reading (source "connector"), so the same plausibility and review rules apply.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from app.clock import local_date
from app.columns import utcnow
from app.extensions import db
from challenges.errors import ChallengeError
from challenges.kinds.base import CLOCK_SKEW
from challenges.kinds.reading import MAX_METER_KWH, METER_READING
from challenges.models import Challenge, Enrollment, Status
from challenges.scoring import Category
from clients.models import OrganisationClient
from connectors import errors
from connectors.formats import Row
from connectors.models import MeterDay, MeterLink
from sharing import gate
from sharing.models import Level, Purpose
from sharing.uses import record_use

CATEGORY, PURPOSE, LEVEL = "meter_readings", "challenge_scoring", Level.INDIVIDUAL
SOURCE = "connector"
# Letters, digits and the separators printed on German meters (e.g. "1 EMH00 1234 5678", "1ESY1160123456").
METER_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-/]{3,31}$")
CUSTOMER_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-/]{2,31}$")


# The kind's refusals that say the reading itself is wrong; others only say a challenge does not take it.
READING_REFUSED = {"range", "future", "falling"}


class TooManyRows(Exception):
    """The delivery holds more rows than one request may."""


def normal_meter_number(text: str) -> str:
    """The meter number as stored and matched: no spaces, upper case (meters are printed with spaces)."""
    return re.sub(r"\s+", "", text or "").upper()


def link_meter(user: User, meter_number: str, customer_number: str, now: datetime | None = None) -> MeterLink:
    """Link (or change) the resident's meter; a meter number may belong to one resident only."""
    meter_number, customer_number = (meter_number or "").strip(), (customer_number or "").strip()
    problems = {}
    if not METER_NUMBER.match(meter_number):
        problems["meter_number"] = _l("Enter the meter number as printed on the meter (4 to 32 letters and digits).")
    if not CUSTOMER_NUMBER.match(customer_number):
        problems["customer_number"] = _l("Enter the customer number from your utility bill (3 to 32 characters).")
    if problems:
        raise errors.InvalidMeterLink(problems)
    number = normal_meter_number(meter_number)
    taken = db.session.scalar(select(MeterLink).where(MeterLink.meter_number == number))
    if taken is not None and taken.user_id != user.id:
        raise errors.InvalidMeterLink({"meter_number": _l("This meter is already linked to another account.")})
    link = db.session.scalar(select(MeterLink).where(MeterLink.user_id == user.id))
    if link is None:
        link = MeterLink(user_id=user.id)
        db.session.add(link)
    if link.meter_number != number:
        link.linked_at = now or utcnow()
    link.meter_number, link.customer_number = number, customer_number
    db.session.flush()
    return link


def unlink_meter(user: User) -> bool:
    """Remove the resident's meter link; the next delivery for it is refused at once."""
    link = db.session.scalar(select(MeterLink).where(MeterLink.user_id == user.id))
    if link is None:
        return False
    db.session.delete(link)
    db.session.flush()
    return True


def meter_of(user: User) -> MeterLink | None:
    return db.session.scalar(select(MeterLink).where(MeterLink.user_id == user.id))


def deliverable_meters(changed_since: datetime | None = None, now: datetime | None = None) -> list[MeterLink]:
    """The meters linked and consented now (optionally linked since a moment), for the utility to send only those."""
    query = select(MeterLink).where(MeterLink.user_id.in_(gate.allowed(CATEGORY, PURPOSE, LEVEL, now or utcnow())))
    if changed_since is not None:
        query = query.where(MeterLink.linked_at >= changed_since)
    return list(db.session.scalars(query.order_by(MeterLink.meter_number)))


@dataclass
class Report:
    """What became of a delivery's rows; rejected rows name the row and the meter number, never the resident."""

    accepted: int = 0
    not_linked: int = 0
    no_consent: int = 0
    implausible: int = 0
    duplicate: int = 0
    malformed: int = 0
    days_stored: int = 0
    residents: set[int] = field(default_factory=set)
    rejected: list[dict] = field(default_factory=list)

    def reject(self, row: Row, outcome: str, reason: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.rejected.append({"row": row.number, "meter_number": row.meter_number, "outcome": outcome,
                              "reason": reason})  # fmt: skip

    def counts(self) -> dict:
        names = ("accepted", "not_linked", "no_consent", "implausible", "duplicate", "malformed")
        return {name: getattr(self, name) for name in names}


@dataclass
class _Day:
    user_id: int
    rows: list[Row]
    last: Row


def ingest(
    rows: Iterable[Row], client: OrganisationClient | None, max_rows: int, actor: User | None = None,
    now: datetime | None = None,
) -> Report:  # fmt: skip
    """Take one delivery: the consent gate is asked now, for the meters the delivery names.

    Rows of unlinked or unconsented meters are dropped unread (only the meter number was looked at). The
    accepted rows of a meter's day are reduced to the day's last register value before anything is stored.
    Raises TooManyRows past `max_rows`, before anything is stored.
    """
    now = now or utcnow()
    report = Report()
    links: dict[str, tuple[int, bool] | None] = {}  # meter number -> (resident, consents) or None (not linked)
    days: dict[tuple[str, object], _Day] = {}
    count = 0
    for row in rows:
        count += 1
        if count > max_rows:
            raise TooManyRows()
        if row.problem:
            report.reject(row, "malformed", row.problem)
            continue
        number = normal_meter_number(row.meter_number)
        if number not in links:
            links[number] = _link_state(number, now)
        state = links[number]
        if state is None:
            report.reject(row, "not_linked", "No resident has linked this meter.")
            continue
        user_id, consents = state
        if not consents:
            report.reject(row, "no_consent", "The meter's resident has not consented; the row was not read.")
            continue
        if not 0 <= row.register_kwh <= MAX_METER_KWH:
            report.reject(row, "implausible", "The register value is out of range.")
            continue
        if row.read_at > now + CLOCK_SKEW:
            report.reject(row, "implausible", "The timestamp is in the future.")
            continue
        key = (number, local_date(row.read_at))
        day = days.get(key)
        if day is None:
            days[key] = _Day(user_id, [row], row)
        else:
            day.rows.append(row)
            if row.read_at >= day.last.read_at:
                day.last = row
    for (number, day_date), day in sorted(days.items(), key=lambda item: (item[0][0], item[0][1])):
        _store_day(number, day_date, day, client, report, now)
    if report.residents:
        purpose = db.session.scalar(select(Purpose).where(Purpose.code == PURPOSE))
        by = client.label if client else (actor.pseudonym if actor else "unknown")
        record_use(actor, purpose, [CATEGORY], LEVEL, {"client_id": client.client_id if client else None},
                   report.residents, description=f"Meter readings delivered by {by}: {report.accepted} rows.",
                   actor_label=client.label if client else None)  # fmt: skip
    return report


def _link_state(number: str, now: datetime) -> tuple[int, bool] | None:
    user_id = db.session.scalar(select(MeterLink.user_id).where(MeterLink.meter_number == number))
    if user_id is None:
        return None
    return user_id, gate.is_allowed(user_id, CATEGORY, PURPOSE, LEVEL, now)


def _store_day(number: str, day_date, day: _Day, client, report: Report, now: datetime) -> None:
    """One meter's day: stored once (a replay is a duplicate), falling registers are implausible, then scored."""
    if db.session.scalar(select(MeterDay.id).where(MeterDay.meter_number == number, MeterDay.day == day_date)):
        for row in day.rows:
            report.reject(row, "duplicate", "This meter's day was delivered before; nothing changed.")
        return
    previous = db.session.scalar(
        select(MeterDay).where(MeterDay.meter_number == number, MeterDay.day < day_date).order_by(MeterDay.day.desc())
    )
    values = sorted(day.rows, key=lambda row: row.read_at)
    falls = any(later.register_kwh < earlier.register_kwh for earlier, later in pairwise(values))
    if falls or (previous is not None and day.last.register_kwh < previous.register_kwh):
        for row in day.rows:
            report.reject(row, "implausible", "The register value falls.")
        return
    savepoint = db.session.begin_nested()
    try:
        db.session.add(MeterDay(
            user_id=day.user_id, meter_number=number, day=day_date, read_at=day.last.read_at,
            register_kwh=day.last.register_kwh, client_id=client.id if client else None, created_at=now,
            consumed_kwh=day.last.register_kwh - previous.register_kwh if previous is not None else None,
        ))  # fmt: skip
        db.session.flush()  # a delivery of the same meter's day at the same moment fails here, as a duplicate
        refusal = _score(day.user_id, day.last, now)
        if refusal:
            savepoint.rollback()
            for row in day.rows:
                report.reject(row, "implausible", refusal)
            return
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        for row in day.rows:
            report.reject(row, "duplicate", "This meter's day was delivered at the same moment; nothing changed.")
        return
    except Exception:
        savepoint.rollback()
        raise
    report.accepted += len(day.rows)
    report.days_stored += 1
    report.residents.add(day.user_id)


def _score(user_id: int, row: Row, now: datetime) -> str | None:
    """Send the day's reading to each energy challenge the resident takes part in; a refusal's message or None."""
    enrollments = db.session.scalars(
        select(Enrollment)
        .join(Challenge, Challenge.id == Enrollment.challenge_id)
        .where(Enrollment.user_id == user_id, Enrollment.active.is_(True),
               Challenge.category == Category.ENERGY, Challenge.status.in_((Status.SCHEDULED, Status.ACTIVE)))
        .order_by(Enrollment.id)
    ).all()  # fmt: skip
    for enrollment in enrollments:
        if not METER_READING.takes_submissions(enrollment.challenge):
            continue
        try:
            values = {"read_at": row.read_at, "meter_kwh": row.register_kwh, "source": SOURCE}
            METER_READING.submit(enrollment, values, source=SOURCE, now=now)
        except ChallengeError as refusal:
            if getattr(refusal, "rule", None) in READING_REFUSED:
                return str(refusal.message)
            # Otherwise the challenge does not take it (outside its period, closed): the day is still kept.
    return None
