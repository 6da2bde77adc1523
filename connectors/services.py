"""Meter links and the utility's deliveries: only linked meters whose resident consents now are read, and each
meter keeps one value per city day (the day's last) with the day's use.

A delivered day scores in the resident's energy challenges through the same reading kind as a typed
reading (source "connector"), so the same plausibility and review rules apply.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice, pairwise

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, func, select
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
from connectors.formats import METER_NUMBER_MAX, Row
from connectors.models import MeterDay, MeterDelivery, MeterLink, MeterRejection
from sharing import gate
from sharing.models import Consent, Level, Purpose
from sharing.uses import record_use

CATEGORY, PURPOSE, LEVEL = "meter_readings", "challenge_scoring", Level.INDIVIDUAL
SOURCE = "connector"
# Letters, digits and the separators printed on German meters (e.g. "1 EMH00 1234 5678", "1ESY1160123456").
METER_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-/]{3,31}$")
CUSTOMER_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-/]{2,31}$")
BAD_METER_NUMBER = _l("Enter the meter number as printed on the meter (4 to 32 letters and digits).")
BAD_CUSTOMER_NUMBER = _l("Enter the customer number from your utility bill (3 to 32 characters).")


# Meters looked up, rejected rows written and days stored per statement: bounded memory, few round trips.
BATCH = 2000
LINKS_KEPT = 5 * BATCH  # meters whose link and consent a delivery keeps at once
REJECTED_INLINE = 1000  # rejected rows listed in the answer itself; all of them are in the delivery's report
REPORT_KEPT = timedelta(days=14)  # how long a delivery's rejected-rows report can be fetched

# The kind's refusals that say the reading itself is wrong; others only say a challenge does not take it.
READING_REFUSED = {"range", "future", "falling"}


# Core inserts: many rows in one executemany, without the ORM's per-row bookkeeping.
METER_DAYS, REJECTIONS = MeterDay.__table__.insert(), MeterRejection.__table__.insert()


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
        problems["meter_number"] = BAD_METER_NUMBER
    if not CUSTOMER_NUMBER.match(customer_number):
        problems["customer_number"] = BAD_CUSTOMER_NUMBER
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
    """What became of a delivery's rows; rejected rows name the row and the meter number, never the resident.

    Every rejected row goes to the delivery's downloadable report (written in batches as the file streams);
    the answer itself lists the first REJECTED_INLINE of them.
    """

    delivery: MeterDelivery | None = None
    accepted: int = 0
    not_linked: int = 0
    no_consent: int = 0
    implausible: int = 0
    duplicate: int = 0
    malformed: int = 0
    days_stored: int = 0
    residents: set[int] = field(default_factory=set)
    rejected: list[dict] = field(default_factory=list)
    pending: list[dict] = field(default_factory=list)

    def reject(self, number: int, meter_number: str, outcome: str, reason: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        entry = {"row": number, "meter_number": meter_number[:METER_NUMBER_MAX], "outcome": outcome, "reason": reason}
        if len(self.rejected) < REJECTED_INLINE:
            self.rejected.append(entry)
        self.pending.append(entry)
        if len(self.pending) >= BATCH:
            self.write_rejections()

    def write_rejections(self) -> None:
        """The rejected rows gathered so far, into the delivery's report, in one statement."""
        if self.pending and self.delivery is not None:
            db.session.execute(REJECTIONS, [{"delivery_id": self.delivery.id, **entry}
                                                        for entry in self.pending])  # fmt: skip
        self.pending.clear()

    def counts(self) -> dict:
        names = ("accepted", "not_linked", "no_consent", "implausible", "duplicate", "malformed")
        return {name: getattr(self, name) for name in names}

    @property
    def rejected_count(self) -> int:
        return sum(self.counts().values()) - self.accepted


@dataclass(slots=True)
class _Day:
    """A meter's day in the delivery: its accepted readings as (moment, register kWh, row number, meter number as
    sent)."""

    user_id: int
    readings: list[tuple[datetime, float, int, str]]

    @property
    def last(self) -> tuple[datetime, float, int, str]:
        return max(self.readings, key=lambda reading: (reading[0], reading[2]))


def ingest(
    rows: Iterable[Row], client: OrganisationClient | None, max_rows: int, actor: User | None = None,
    now: datetime | None = None,
) -> Report:  # fmt: skip
    """Take one delivery: the consent gate is asked now, for the meters the delivery names.

    The rows are read in batches: each batch's meters are looked up (link and consent) in two queries. Rows of
    unlinked or unconsented meters are dropped unread (only the meter number was looked at). The accepted rows
    of a meter's day are reduced to the day's last register value; the days are then stored a batch of meters
    at a time. Raises TooManyRows past `max_rows` (the request then stores nothing).
    """
    now = now or utcnow()
    report = Report(delivery=_open_delivery(client, actor, now))
    links: dict[str, tuple[int, bool] | None] = {}  # meter number -> (resident, consents) or None (not linked)
    days: dict[tuple[str, date], _Day] = {}
    count = 0
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        count += len(batch)
        if count > max_rows:
            raise TooManyRows()
        if len(links) > LINKS_KEPT:  # a bounded cache: a meter seen again later is looked up again
            links.clear()
        _look_up(links, {normal_meter_number(row.meter_number) for row in batch if not row.problem}, now)
        for row in batch:
            _sort_row(row, links, days, report, now)
    by_day: dict[date, list[str]] = {}
    for number, day_date in days:
        by_day.setdefault(day_date, []).append(number)
    for day_date in sorted(by_day):  # earlier days first: a later day's use is measured from them
        numbers = sorted(by_day[day_date])
        for start in range(0, len(numbers), BATCH):
            _store_days(day_date, [(number, days.pop((number, day_date))) for number in numbers[start : start + BATCH]],
                        client, report, now)  # fmt: skip
    report.write_rejections()
    report.delivery.rejected_count = report.rejected_count
    if report.residents:
        purpose = db.session.scalar(select(Purpose).where(Purpose.code == PURPOSE))
        by = client.label if client else (actor.pseudonym if actor else "unknown")
        record_use(actor, purpose, [CATEGORY], LEVEL, {"client_id": client.client_id if client else None},
                   report.residents, description=f"Meter readings delivered by {by}: {report.accepted} rows.",
                   actor_label=client.label if client else None)  # fmt: skip
    db.session.flush()
    return report


def _open_delivery(client: OrganisationClient | None, actor: User | None, now: datetime) -> MeterDelivery:
    """The delivery's record (its report's owner and expiry); reports past their time are deleted first."""
    purge_reports(now)
    delivery = MeterDelivery(client_id=client.id if client else None, user_id=actor.id if actor else None,
                             created_at=now, expires_at=now + REPORT_KEPT)  # fmt: skip
    db.session.add(delivery)
    db.session.flush()
    return delivery


def _look_up(links: dict, numbers: set[str], now: datetime) -> None:
    """Link and consent of the meters not looked up yet, in two queries (the gate's, for the linked residents)."""
    numbers = sorted(numbers - links.keys())
    if not numbers:
        return
    query = select(MeterLink.meter_number, MeterLink.user_id).where(MeterLink.meter_number.in_(numbers))
    linked = dict(db.session.execute(query).all())
    allowed = set()
    if linked:
        residents = sorted(set(linked.values()))
        consenting = gate.allowed(CATEGORY, PURPOSE, LEVEL, now).where(Consent.user_id.in_(residents))
        allowed = set(db.session.scalars(consenting))
    for number in numbers:
        user_id = linked.get(number)
        links[number] = None if user_id is None else (user_id, user_id in allowed)


def _sort_row(row: Row, links: dict, days: dict, report: Report, now: datetime) -> None:
    """A row is rejected at once (malformed, not linked, no consent, out of range) or joins its meter's day."""
    if row.problem:
        report.reject(row.number, row.meter_number, "malformed", row.problem)
        return
    number = normal_meter_number(row.meter_number)
    state = links[number]
    if state is None:
        report.reject(row.number, row.meter_number, "not_linked", "No resident has linked this meter.")
        return
    user_id, consents = state
    if not consents:
        report.reject(row.number, row.meter_number, "no_consent",
                      "The meter's resident has not consented; the row was not read.")  # fmt: skip
        return
    if not 0 <= row.register_kwh <= MAX_METER_KWH:
        report.reject(row.number, row.meter_number, "implausible", "The register value is out of range.")
        return
    if row.read_at > now + CLOCK_SKEW:
        report.reject(row.number, row.meter_number, "implausible", "The timestamp is in the future.")
        return
    key = (number, local_date(row.read_at))
    day = days.get(key)
    if day is None:
        days[key] = _Day(user_id, [(row.read_at, row.register_kwh, row.number, row.meter_number)])
    else:
        day.readings.append((row.read_at, row.register_kwh, row.number, row.meter_number))


def _reject_day(number: str, day: _Day, report: Report, outcome: str, reason: str) -> None:
    for _moment, _kwh, row_number, as_sent in day.readings:
        report.reject(row_number, as_sent, outcome, reason)


def _store_days(day_date: date, batch: list[tuple[str, _Day]], client, report: Report, now: datetime) -> None:
    """A batch of meters' same day: duplicates and falling registers set aside, the rest inserted at once and
    scored; set-based lookups (days stored before, each meter's latest value before the day)."""
    numbers = [number for number, _day in batch]
    same_day = select(MeterDay.meter_number).where(MeterDay.day == day_date, MeterDay.meter_number.in_(numbers))
    stored = set(db.session.scalars(same_day))
    previous = _previous_values(numbers, day_date)
    fresh = []
    for number, day in batch:
        if number in stored:
            _reject_day(number, day, report, "duplicate", "This meter's day was delivered before; nothing changed.")
            continue
        values = [kwh for _moment, kwh, _row, _sent in sorted(day.readings)]
        before = previous.get(number)
        if any(later < earlier for earlier, later in pairwise(values)) or (before is not None and values[-1] < before):
            _reject_day(number, day, report, "implausible", "The register value falls.")
            continue
        fresh.append((number, day, before))
    if not fresh:
        return
    try:
        with db.session.begin_nested():
            db.session.execute(METER_DAYS, [_day_values(number, day_date, day, before, client, now)
                                                  for number, day, before in fresh])  # fmt: skip
    except IntegrityError:  # a delivery of some of these days at the same moment: one by one, to find which
        _store_one_by_one(day_date, fresh, client, report, now)
        return
    _score_days(day_date, fresh, report, now)


def _previous_values(numbers: list[str], day_date: date) -> dict[str, float]:
    """Each meter's register value on its latest stored day before `day_date`, in one query."""
    latest = (select(MeterDay.meter_number, func.max(MeterDay.day).label("day"))
              .where(MeterDay.meter_number.in_(numbers), MeterDay.day < day_date)
              .group_by(MeterDay.meter_number).subquery())  # fmt: skip
    query = select(MeterDay.meter_number, MeterDay.register_kwh).join(
        latest, and_(MeterDay.meter_number == latest.c.meter_number, MeterDay.day == latest.c.day)
    )
    return dict(db.session.execute(query).all())


def _day_values(number: str, day_date: date, day: _Day, before: float | None, client, now: datetime) -> dict:
    read_at, register, _row, _sent = day.last
    return {"user_id": day.user_id, "meter_number": number, "day": day_date, "read_at": read_at,
            "register_kwh": register, "consumed_kwh": register - before if before is not None else None,
            "client_id": client.id if client else None, "created_at": now}  # fmt: skip


def _store_one_by_one(day_date: date, fresh: list, client, report: Report, now: datetime) -> None:
    """After a unique violation in the batch: each day in its own savepoint; the one already stored is a duplicate."""
    for number, day, before in fresh:
        try:
            with db.session.begin_nested():
                db.session.execute(METER_DAYS, [_day_values(number, day_date, day, before, client, now)])
        except IntegrityError:
            _reject_day(number, day, report, "duplicate",
                        "This meter's day was delivered at the same moment; nothing changed.")  # fmt: skip
            continue
        _score_days(day_date, [(number, day, before)], report, now)


def _score_days(day_date: date, fresh: list, report: Report, now: datetime) -> None:
    """Score each stored day in the resident's energy challenges; a day the reading kind refuses is removed again."""
    enrollments = _energy_enrollments({day.user_id for _number, day, _before in fresh})
    for number, day, _before in fresh:
        refusal = None
        if day.user_id in enrollments:
            savepoint = db.session.begin_nested()
            try:
                refusal = _score(enrollments[day.user_id], day.last, now)
            except Exception:
                savepoint.rollback()
                raise
            if refusal:
                savepoint.rollback()
                db.session.execute(delete(MeterDay).where(MeterDay.meter_number == number, MeterDay.day == day_date))
                _reject_day(number, day, report, "implausible", refusal)
                continue
            savepoint.commit()
        report.accepted += len(day.readings)
        report.days_stored += 1
        report.residents.add(day.user_id)


def _energy_enrollments(user_ids: set[int]) -> dict[int, list[Enrollment]]:
    """The running energy challenges' enrollments of these residents, in one query."""
    found: dict[int, list[Enrollment]] = {}
    query = (
        select(Enrollment)
        .join(Challenge, Challenge.id == Enrollment.challenge_id)
        .where(Enrollment.user_id.in_(sorted(user_ids)), Enrollment.active.is_(True),
               Challenge.category == Category.ENERGY, Challenge.status.in_((Status.SCHEDULED, Status.ACTIVE)))
        .order_by(Enrollment.id)
    )  # fmt: skip
    for enrollment in db.session.scalars(query):
        found.setdefault(enrollment.user_id, []).append(enrollment)
    return found


def purge_reports(now: datetime | None = None) -> int:
    """Delete delivery reports past their time (REPORT_KEPT); how many."""
    expired = select(MeterDelivery.id).where(MeterDelivery.expires_at <= (now or utcnow()))
    db.session.execute(delete(MeterRejection).where(MeterRejection.delivery_id.in_(expired)))
    return db.session.execute(delete(MeterDelivery).where(MeterDelivery.expires_at <= (now or utcnow()))).rowcount


def rejected_rows(delivery_id: int, client: OrganisationClient | None, actor: User | None,
                  now: datetime | None = None) -> Iterator[MeterRejection]:  # fmt: skip
    """A delivery's rejected rows in row order, for the client (or admin) that delivered it, while it is kept.

    Another client's delivery, or one past its time, is not found: the same 404 either way.
    """
    delivery = db.session.get(MeterDelivery, delivery_id)
    if delivery is None:
        raise errors.DeliveryNotFound()
    if client is not None:
        owner = delivery.client_id == client.id
    else:
        owner = actor is not None and delivery.client_id is None and delivery.user_id == actor.id
    if not owner or delivery.expires_at <= (now or utcnow()):
        raise errors.DeliveryNotFound()
    query = select(MeterRejection).where(MeterRejection.delivery_id == delivery_id).order_by(MeterRejection.row)
    return db.session.scalars(query.execution_options(yield_per=BATCH))


def _score(enrollments: list[Enrollment], reading: tuple[datetime, float, int, str], now: datetime) -> str | None:
    """Send the day's reading to each energy challenge the resident takes part in; a refusal's message or None."""
    read_at, register, _row, _sent = reading
    for enrollment in enrollments:
        if not METER_READING.takes_submissions(enrollment.challenge):
            continue
        try:
            values = {"read_at": read_at, "meter_kwh": register, "source": SOURCE}
            METER_READING.submit(enrollment, values, source=SOURCE, now=now)
        except ChallengeError as refusal:
            if getattr(refusal, "rule", None) in READING_REFUSED:
                return str(refusal.message)
            # Otherwise the challenge does not take it (outside its period, closed): the day is still kept.
    return None


def consents_to_delivery(user: User, now: datetime | None = None) -> bool:
    """Whether the resident consents now to "meter readings" × "challenge scoring" (shown on their meter page)."""
    return gate.is_allowed(user.id, CATEGORY, PURPOSE, LEVEL, now or utcnow())


def delivered_days(user: User, limit: int) -> list[MeterDay]:
    """The resident's latest days the utility delivered, newest first."""
    query = select(MeterDay).where(MeterDay.user_id == user.id).order_by(MeterDay.day.desc()).limit(limit)
    return list(db.session.scalars(query))
