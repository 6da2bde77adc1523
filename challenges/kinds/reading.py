"""A meter reading: the meter's cumulative kWh at a moment, sent to an energy challenge.

What a reading saved is measured against the one before it: the kWh used between the two, the part
inside the challenge's period, against the resident's daily baseline. Readings from before the
start set that baseline, so a reading is taken as soon as a challenge is published.
"""

import math
from datetime import datetime, timedelta

import marshmallow as ma
from flask_babel import format_datetime, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, select
from wtforms.validators import InputRequired

from app.clock import day_bounds, local_date
from app.extensions import db
from app.forms import LocaleDecimalField, format_number
from challenges import activity, charts, csv_cells, display, errors
from challenges.flags import FlagRule, flag_values
from challenges.forms import SubmissionForm, local_datetime_field, to_utc
from challenges.kinds.base import CLOCK_SKEW, Kind
from challenges.models import (
    LIVE,
    AssistedActionKind,
    Challenge,
    Enrollment,
    Status,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from challenges.schemas import amount_field, moment_field
from challenges.scoring import (
    JUDGED_DAYS,
    Category,
    Impact,
    capped,
    days_between,
    energy_units,
    high_use_limit,
    interval_in_window,
    kwh_saved,
    low_use_limit,
    reading_impact,
)
from challenges.totals import BASELINE_LOOKBACK, set_baseline

MAX_METER_KWH = 10_000_000
CONNECTOR = "connector"  # the source of readings the utility delivered for a linked meter


class ReadingSchema(ma.Schema):
    """A meter reading as the API takes it."""

    read_at = moment_field(metadata={"description": "Reading: when the meter was read."})
    meter_kwh = amount_field(metadata={"description": "Reading: the meter's cumulative kWh."})


class ReadingForm(SubmissionForm):
    read_at = local_datetime_field(
        _l("Date and time of the reading"), _l("When you read the meter, in the city's time zone."), required=True
    )
    meter_kwh = LocaleDecimalField(
        _l("Meter reading in kWh"),
        validators=[InputRequired()],
        description=_l("The whole number shown on your electricity meter, not what you used."),
    )

    @classmethod
    def blank(cls, now_local: datetime) -> "ReadingForm":
        return cls(formdata=None, data={"read_at": now_local})

    def values(self) -> dict:
        return {"read_at": to_utc(self.read_at.data), "meter_kwh": self.meter_kwh.data}

    @staticmethod
    def recorded(submission: Submission) -> str:
        """The reading as stored, every digit in the reader's format, so a slip (10018,5 read as 100185) shows."""
        return gettext("Reading: %(kwh)s kWh at %(when)s.", kwh=format_number(submission.meter_kwh),
                       when=display.when(submission.read_at))  # fmt: skip


class MeterReading(Kind):
    """Meter readings, for energy challenges."""

    code = SubmissionKind.READING
    category = Category.ENERGY
    path = "readings"
    data_category = "energy_readings"
    assisted_action = AssistedActionKind.READING
    not_part_of = _l("Energy challenges take meter readings: read_at and meter_kwh.")
    form = ReadingForm
    schema = ReadingSchema
    columns = {
        "read_at": {"read_at", "time", "timestamp", "zeitpunkt", "ablesezeitpunkt", "ablesedatum", "datum/uhrzeit"},
        "meter_kwh": {"meter_kwh", "kwh", "reading", "zählerstand", "zaehlerstand", "zählerstand (kwh)", "wert"},
    }
    required_columns = ("read_at", "meter_kwh")
    template = "challenges/kinds/reading.html"
    date_field = "read_at"
    before_start = True  # readings before the start make the baseline the resident's own

    def takes_submissions(self, challenge: Challenge) -> bool:
        """Readings are taken from publishing on: those before the start make the baseline the resident's own."""
        return challenge.status in (Status.SCHEDULED, Status.ACTIVE)

    def check(self, enrollment: Enrollment, values: dict, now: datetime) -> dict:
        """Plausible values only, nothing from the future or outside the challenge, rising and in order."""
        read_at, meter_kwh = values["read_at"], values["meter_kwh"]
        challenge = enrollment.challenge
        if not 0 <= meter_kwh <= MAX_METER_KWH:
            raise errors.SubmissionRefused(_l("The meter value is not plausible."), "meter_kwh", "range")
        if read_at > now + CLOCK_SKEW:
            raise errors.SubmissionRefused(_l("A reading cannot be in the future."), "read_at", "future")
        if read_at > challenge.late_entries_until:  # a reading soon after the end counts for the part before it
            raise errors.SubmissionRefused(_l("This reading is after the challenge's end."), "read_at", "outside")
        if read_at < challenge.starts_at - BASELINE_LOOKBACK:
            raise errors.SubmissionRefused(
                _l("Readings from more than a year before the start cannot be used."), "read_at", "outside"
            )
        if values.get("source") != CONNECTOR and _delivered_on(enrollment, local_date(read_at)):
            message = _l(
                "Your utility already delivered this day's reading from your linked meter; no need to type it."
            )
            raise errors.SubmissionRefused(message, "read_at", "delivered")
        _check_against_latest(enrollment, read_at, meter_kwh)
        return {"read_at": read_at, "meter_kwh": meter_kwh, "day": local_date(read_at)}

    def dated(self, columns: dict) -> datetime:
        """When the meter was read."""
        return columns["read_at"]

    def assess(self, submission: Submission) -> tuple[float, int]:
        """The reading's score; daily use the household could hardly have (or above the challenge's limit) is held."""
        previous, consumed, units, points = _interval(submission)
        submission.consumed_kwh = consumed
        if previous is not None and (flag := _implausible(submission, previous)):
            submission.status = SubmissionStatus.FLAGGED
            submission.flag_rule, submission.flag_values = flag
        return units, points

    def score(self, submission: Submission) -> tuple[float, int]:
        """Measured from the reading before it that still counts."""
        return _rescore(submission)

    def impact(self, submission: Submission) -> Impact:
        """The kWh saved, from the units in an energy metric."""
        return reading_impact(submission.challenge.metric, submission.units, _usual_kwh(submission.enrollment))

    def recorded_before(self, moment: datetime) -> ColumnElement[bool]:
        """Readings taken before `moment`."""
        return and_(Submission.kind == self.code, Submission.read_at < moment)

    def row_values(self, row: dict[str, str]) -> dict:
        """A row's time of reading and meter value."""
        return {
            "read_at": csv_cells.moment(row.get("read_at") or ""),
            "meter_kwh": csv_cells.number(row.get("meter_kwh") or ""),
        }

    def chart(self, enrollment: Enrollment) -> dict:
        """Daily use against the baseline; the days whose reading the utility delivered are marked as such."""
        chart = charts.energy_chart(activity.daily_consumption(enrollment), enrollment.baseline_kwh_per_day or 0.0)
        return {**chart, "delivered": _delivered_days(enrollment)}

    def joined(self, enrollment: Enrollment) -> None:
        """A new participant's baseline: their readings from before the start, else the reference."""
        set_baseline(enrollment)

    def stored(self, submission: Submission) -> None:
        """Readings before the start sharpen the resident's own baseline, until scoring began."""
        enrollment = submission.enrollment
        if submission.read_at < enrollment.challenge.starts_at and not _has_scored_readings(enrollment):
            set_baseline(enrollment)

    def check_approval(self, submission: Submission) -> None:
        """A held reading may count only where it fits between the counted readings around it."""
        before = db.session.scalar(_counted(submission.enrollment, Submission.read_at <= submission.read_at))
        after = db.session.scalar(
            _counted(submission.enrollment, Submission.read_at >= submission.read_at, latest_first=False)
        )
        at, kwh = submission.read_at, submission.meter_kwh
        falls_from = before is not None and (before.read_at == at or before.meter_kwh > kwh)
        falls_to = after is not None and (after.read_at == at or after.meter_kwh < kwh)
        if falls_from or falls_to:
            message = _l("It does not fit the counted readings around it (the meter would fall); reject it instead.")
            raise errors.SubmissionRefused(message, rule="falling")

    def changed(self, submission: Submission) -> None:
        """A reading started or stopped counting: the counted reading after it is measured from what counts now."""
        enrollment = submission.enrollment
        if submission.read_at < enrollment.challenge.starts_at and not _has_scored_readings(enrollment):
            set_baseline(enrollment)
        following = db.session.scalar(_counted(enrollment, Submission.read_at > submission.read_at, latest_first=False))
        if following is not None:
            self.count(following, *self.score(following))

    def saved_note(self, submission: Submission) -> str | None:
        """A reading before the start shapes the baseline; the first one has nothing to be measured from."""
        if submission.read_at < submission.challenge.starts_at:
            if submission.created_at >= submission.challenge.starts_at:
                return gettext(
                    "Saved. Readings sent after the start do not change your baseline: the reference for your "
                    "household size is it."
                )
            return gettext("Saved. Readings from before the start make your baseline your own.")
        if submission.consumed_kwh is None:
            return gettext("Saved. Your next reading shows what you used since this one.")
        return None

    def desk_note(self, submission: Submission, name: str) -> str | None:
        """The first reading has nothing to be measured from."""
        if submission.consumed_kwh is None:
            return gettext("Saved for %(name)s. The next reading shows what was used since this one.", name=name)
        return None


def _counted(enrollment: Enrollment, *conditions, latest_first: bool = True):
    """The enrollment's latest (or earliest) counted reading meeting `conditions`.

    Only counted readings are a base: one held for review is no base of the next reading, nor of the
    checks of the next one, until a manager approves it.
    """
    order = Submission.read_at.desc() if latest_first else Submission.read_at
    return (
        select(Submission)
        .where(
            Submission.enrollment_id == enrollment.id,
            Submission.kind == SubmissionKind.READING,
            Submission.status == SubmissionStatus.ACCEPTED,
            *conditions,
        )
        .order_by(order)
        .limit(1)
    )


def _delivered_on(enrollment: Enrollment, day) -> bool:
    """Whether the utility's connector delivered a reading of this city day (held ones too)."""
    start, end = day_bounds(day)
    delivered = select(Submission.id).where(
        Submission.enrollment_id == enrollment.id, Submission.kind == SubmissionKind.READING,
        Submission.source == CONNECTOR, Submission.status.in_(LIVE), Submission.read_at >= start,
        Submission.read_at < end,
    ).limit(1)  # fmt: skip
    return db.session.scalar(delivered) is not None


def _delivered_days(enrollment: Enrollment) -> set:
    """The city days of the enrollment's live readings the utility's connector delivered."""
    moments = db.session.scalars(select(Submission.read_at).where(
        Submission.enrollment_id == enrollment.id, Submission.kind == SubmissionKind.READING,
        Submission.source == CONNECTOR, Submission.status.in_(LIVE)))  # fmt: skip
    return {local_date(moment) for moment in moments}


def _check_against_latest(enrollment: Enrollment, read_at: datetime, meter_kwh: float) -> None:
    """Not exactly one already sent (held ones too), later than the latest counted reading, and never below it."""
    sent = select(Submission.id).where(
        Submission.enrollment_id == enrollment.id, Submission.kind == SubmissionKind.READING,
        Submission.status.in_(LIVE), Submission.read_at == read_at, Submission.meter_kwh == meter_kwh,
    )  # fmt: skip
    if db.session.scalar(sent) is not None:
        raise errors.SubmissionRefused(_l("You already sent exactly this reading."), "read_at", "duplicate")
    latest = db.session.scalar(_counted(enrollment))
    if latest is None:
        return
    if read_at <= latest.read_at:
        message = _l("A reading must be later than your last one (%(when)s).", when=format_datetime(latest.read_at))
        raise errors.SubmissionRefused(message, "read_at", "order")
    if meter_kwh < latest.meter_kwh:
        message = _l(
            "Meter readings must rise over time; your last one was %(kwh)s kWh.", kwh=format_number(latest.meter_kwh)
        )
        raise errors.SubmissionRefused(message, "meter_kwh", "falling")


def _implausible(submission: Submission, previous: Submission) -> tuple[FlagRule, dict] | None:
    """The rule the reading's daily use breaks, with its numbers; None when it is plausible.

    More than the challenge's limit is judged since the reading before; use far from the household-size
    reference, too low or too high, over at least a day, so a short interval's chance cannot decide.
    """
    enrollment, limit = submission.enrollment, submission.challenge.max_kwh_per_day
    per_day = submission.consumed_kwh / max(days_between(previous.read_at, submission.read_at), 1 / 24)
    if per_day > limit:
        return FlagRule.KWH_PER_DAY, flag_values(per_day, limit)
    judged = _judged_rate(submission)
    if judged is None:
        return None
    high = high_use_limit(enrollment.household_size, enrollment.baseline_kwh_per_day)
    if judged > high:
        return FlagRule.KWH_HIGH, flag_values(judged, high)
    low = low_use_limit(enrollment.household_size)
    if judged < low:
        return FlagRule.KWH_LOW, flag_values(judged, low)
    return None


def _judged_rate(submission: Submission) -> float | None:
    """Daily use since the latest counted reading at least JUDGED_DAYS before this one; None without one."""
    since = submission.read_at - timedelta(days=JUDGED_DAYS)
    base = db.session.scalar(_counted(submission.enrollment, Submission.read_at <= since))
    if base is None:
        return None
    return (submission.meter_kwh - base.meter_kwh) / days_between(base.read_at, submission.read_at)


def _interval(submission: Submission) -> tuple[Submission | None, float | None, float, int]:
    """(the counted reading before, kWh consumed since it, units, points); with none before, nothing scores."""
    previous = db.session.scalar(_counted(submission.enrollment, Submission.read_at < submission.read_at))
    if previous is None:
        return None, None, 0.0, 0
    enrollment, challenge = submission.enrollment, submission.challenge
    consumed = submission.meter_kwh - previous.meter_kwh
    # A late joiner is scored from the day they joined: what they say of the days before counts for nothing.
    scored_from = max(challenge.starts_at, day_bounds(local_date(enrollment.joined_at))[0])
    share = interval_in_window(previous.read_at, submission.read_at, scored_from, challenge.ends_at)
    days = days_between(previous.read_at, submission.read_at) * share
    saved = kwh_saved(enrollment.baseline_kwh_per_day or 0.0, consumed * share, days)
    units = energy_units(challenge.metric, saved, _usual_kwh(enrollment))
    cap = challenge.daily_point_cap * max(1, math.ceil(days)) if challenge.daily_point_cap else None
    return previous, consumed, *capped(units, challenge.points_per_unit, (0.0, 0), cap)


def _usual_kwh(enrollment: Enrollment) -> float:
    """The baseline's use over the whole challenge: what a share saved is a share of."""
    challenge = enrollment.challenge
    return (enrollment.baseline_kwh_per_day or 0.0) * days_between(challenge.starts_at, challenge.ends_at)


def _rescore(submission: Submission) -> tuple[float, int]:
    _previous, submission.consumed_kwh, units, points = _interval(submission)
    return units, points


def _has_scored_readings(enrollment: Enrollment) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(Submission.id)).where(
                Submission.enrollment_id == enrollment.id,
                Submission.kind == SubmissionKind.READING,
                Submission.read_at >= enrollment.challenge.starts_at,
                Submission.status == SubmissionStatus.ACCEPTED,
            )
        )
    )


METER_READING = MeterReading()


def submit_reading(enrollment: Enrollment, read_at: datetime, meter_kwh: float, **options) -> tuple[Submission, bool]:
    """Store a meter reading; returns (submission, created). Refusals raise and store nothing."""
    return METER_READING.submit(enrollment, {"read_at": read_at, "meter_kwh": meter_kwh}, **options)
