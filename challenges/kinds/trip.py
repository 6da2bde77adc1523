"""A trip: a day, a mode of transport, a distance, and whether it replaced a car trip, sent to a
mobility challenge. Trips count while the challenge runs; the daily cap spreads over a day's trips.
"""

import math
import statistics
from datetime import UTC, date, datetime, time, timedelta

import marshmallow as ma
from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, select
from wtforms import BooleanField, DateField, SelectField, TimeField
from wtforms.validators import InputRequired, Optional

from app.clock import city_zone, day_bounds, local_date
from app.extensions import db
from app.forms import LocaleDecimalField, choices, format_number
from app.schemas import StrictBoolean
from challenges import activity, charts, csv_cells, display, errors
from challenges.display import MODE_LABELS
from challenges.flags import FlagRule, flag_values
from challenges.forms import SubmissionForm
from challenges.kinds.base import CLOCK_SKEW, Kind
from challenges.models import LIVE, AssistedActionKind, Enrollment, Submission, SubmissionKind, SubmissionStatus
from challenges.schemas import amount_field, enum_field, plausible_year
from challenges.scoring import (
    REPLACES_CAR,
    USUAL_FACTOR,
    USUAL_MIN_DAYS,
    Category,
    Impact,
    Mode,
    capped,
    trip_impact,
    trip_units,
)

MAX_TRIP_KM = 1_000
# The fastest a mode is taken to go for minutes on end (an uploaded track's sustained speed, tracks.gpx): a brisk
# jog stays under the walking limit, an S-pedelec under the cycling one; faster than that is held for review.
SUSTAINED_KMH = {Mode.WALK: 12.0, Mode.BIKE: 45.0}
# How people name their mode of transport in the CSV files of mobility apps, English or German.
MODES = {
    "walk": Mode.WALK, "zu fuß": Mode.WALK, "zu fuss": Mode.WALK, "fuß": Mode.WALK,
    "bike": Mode.BIKE, "bicycle": Mode.BIKE, "fahrrad": Mode.BIKE, "rad": Mode.BIKE,
    "public_transport": Mode.PUBLIC_TRANSPORT, "public transport": Mode.PUBLIC_TRANSPORT, "bus": Mode.PUBLIC_TRANSPORT,
    "bahn": Mode.PUBLIC_TRANSPORT, "öpnv": Mode.PUBLIC_TRANSPORT, "train": Mode.PUBLIC_TRANSPORT,
    "carpool": Mode.CARPOOL, "fahrgemeinschaft": Mode.CARPOOL, "car": Mode.CAR, "auto": Mode.CAR,
}  # fmt: skip


class TripSchema(ma.Schema):
    """A trip as the API takes it."""

    day = ma.fields.Date(validate=plausible_year, metadata={"description": "Trip: the day travelled."})
    mode = enum_field(Mode, metadata={"description": "Trip: how you travelled."})
    distance_km = amount_field(metadata={"description": "Trip: the distance in km."})
    replaced_car = StrictBoolean(metadata={"description": "Trip: whether it replaced a car trip."})
    trip_time = ma.fields.Time(metadata={"description": "Trip, optional: departure time, to tell two alike apart."})

    @ma.validates("trip_time")
    def local_time(self, value, **kwargs):
        if value.tzinfo is not None:
            raise ma.ValidationError(str(_l("Give the local time without an offset.")))


class TripForm(SubmissionForm):
    day = DateField(_l("Date of the trip"), validators=[InputRequired()])
    mode = SelectField(_l("How you travelled"), validators=[InputRequired()])
    distance_km = LocaleDecimalField(_l("Distance in km"), validators=[InputRequired()])
    replaced_car = BooleanField(
        _l("This trip replaced a car trip"), description=_l("Tick it if you would otherwise have driven.")
    )
    trip_time = TimeField(
        _l("Departure time (optional)"),
        validators=[Optional()],
        description=_l("Only needed to tell two identical trips on the same day apart."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode.choices = choices((m.value, label) for m, label in MODE_LABELS.items())

    @classmethod
    def blank(cls, now_local: datetime) -> "TripForm":
        return cls(formdata=None, data={"day": now_local.date()})

    def values(self) -> dict:
        names = ("day", "mode", "distance_km", "replaced_car", "trip_time")
        return {name: self[name].data for name in names}

    @staticmethod
    def recorded(submission: Submission) -> str:
        """The trip as stored, the distance with every digit in the reader's format, so a slip shows."""
        return gettext("Trip: %(km)s km on %(day)s (%(mode)s).", km=format_number(submission.distance_km),
                       day=display.day(submission.day), mode=MODE_LABELS[submission.mode])  # fmt: skip


class Trip(Kind):
    """Trips, for mobility challenges."""

    code = SubmissionKind.TRIP
    category = Category.MOBILITY
    path = "trips"
    data_category = "trips"
    assisted_action = AssistedActionKind.TRIP
    not_part_of = _l("Mobility challenges take trips: day, mode, distance_km, replaced_car, trip_time.")
    form = TripForm
    schema = TripSchema
    optional = frozenset({"trip_time"})
    columns = {
        "day": {"day", "date", "datum"},
        "mode": {"mode", "verkehrsmittel"},
        "distance_km": {"distance_km", "km", "distance", "strecke", "strecke (km)", "entfernung"},
        "replaced_car": {"replaced_car", "car_replaced", "autofahrt ersetzt", "statt auto"},
        "trip_time": {"trip_time", "departure", "abfahrt", "uhrzeit"},
    }
    required_columns = ("day", "mode", "distance_km")
    template = "challenges/kinds/trip.html"
    date_field = "day"

    def check(self, enrollment: Enrollment, values: dict, now: datetime) -> dict:
        """A real distance, on a day of the challenge and not in the future, and no exact duplicate."""
        day, mode, distance_km = values["day"], Mode(values["mode"]), values["distance_km"]
        replaced_car, trip_time = values["replaced_car"], values.get("trip_time")
        challenge = enrollment.challenge
        if not 0 < distance_km <= MAX_TRIP_KM:
            raise errors.SubmissionRefused(_l("The distance must be between 0 and 1,000 km."), "distance_km", "range")
        if replaced_car and mode not in REPLACES_CAR:
            message = _l("A trip by car alone does not replace a car trip: untick the box, or say how you travelled.")
            raise errors.SubmissionRefused(message, "replaced_car", "car_alone")
        if day > local_date(now + CLOCK_SKEW):
            raise errors.SubmissionRefused(_l("A trip cannot be in the future."), "day", "future")
        first, last = local_date(challenge.starts_at), local_date(challenge.ends_at - timedelta(microseconds=1))
        if not first <= day <= last:
            message = _l(
                "Only trips from %(first)s to %(last)s count.", first=format_date(first), last=format_date(last)
            )
            raise errors.SubmissionRefused(message, "day", "outside")
        columns = {"day": day, "mode": mode, "distance_km": distance_km, "replaced_car": replaced_car,
                   "trip_time": trip_time}  # fmt: skip
        if _already_sent(enrollment, columns):
            message = _l(
                "You already sent exactly this trip. For a second, identical trip that day, add its departure time."
            )
            raise errors.SubmissionRefused(message, "day", "duplicate")
        return columns | _speed_flag(mode, values.get("sustained_kmh"))

    def dated(self, columns: dict) -> datetime:
        """Its departure in the city, if given; else the end of its day, since a day of the challenge counts whole."""
        day, trip_time = columns["day"], columns.get("trip_time")
        if trip_time is None:
            return day_bounds(day)[1] - timedelta(microseconds=1)
        return datetime.combine(day, trip_time, tzinfo=city_zone()).astimezone(UTC)

    def assess(self, submission: Submission) -> tuple[float, int]:
        """The trip's score; a track too fast for its mode, a day beyond the challenge's km limit, or far beyond the
        resident's usual day, is held."""
        if submission.flag_rule == FlagRule.SPEED:  # measured on the uploaded track by `check`
            submission.status = SubmissionStatus.FLAGGED
            return 0.0, 0
        if flag := _unusual_day(submission):
            submission.status = SubmissionStatus.FLAGGED
            submission.flag_rule, submission.flag_values = flag
            return 0.0, 0
        return self.score(submission)

    def score(self, submission: Submission) -> tuple[float, int]:
        """Its units under the challenge's metric and their points, both only up to what the day's cap leaves."""
        challenge = submission.challenge
        units = trip_units(challenge.metric, submission.mode, submission.distance_km, submission.replaced_car)
        return capped(units, challenge.points_per_unit, _counted_before(submission), challenge.daily_point_cap)

    def impact(self, submission: Submission) -> Impact:
        """Car-km and CO₂ avoided, when it was sustainable and replaced a car trip."""
        return trip_impact(submission.mode, submission.distance_km, submission.replaced_car)

    def changed(self, submission: Submission) -> None:
        """A trip started or stopped counting: the day's counted trips share its cap anew, in the order sent."""
        for trip in db.session.scalars(_counted_on(submission.enrollment, submission.day).order_by(Submission.id)):
            self.count(trip, *self.score(trip))

    def recorded_before(self, moment: datetime) -> ColumnElement[bool]:
        """Trips made on a day before the one `moment` falls on."""
        return and_(Submission.kind == self.code, Submission.day < local_date(moment))

    def row_values(self, row: dict[str, str]) -> dict:
        """A row's day, mode, distance, whether it replaced a car trip, and departure time."""
        return {
            "day": csv_cells.day(row.get("day") or ""),
            "mode": _mode(row.get("mode") or ""),
            "distance_km": csv_cells.number(row.get("distance_km") or ""),
            "replaced_car": csv_cells.flag(row.get("replaced_car") or ""),
            "trip_time": csv_cells.time_of_day(row.get("trip_time") or ""),
        }

    def chart(self, enrollment: Enrollment) -> dict:
        """Counted trips per week."""
        return charts.trips_chart(activity.weekly_trips(enrollment))


def _speed_flag(mode: Mode, sustained_kmh: float | None) -> dict:
    """The hold of an uploaded track whose sustained speed its mode does not reach; nothing for typed trips."""
    limit = SUSTAINED_KMH.get(mode)
    if sustained_kmh is None or limit is None or sustained_kmh <= limit:
        return {}
    return {"flag_rule": FlagRule.SPEED, "flag_values": flag_values(sustained_kmh, limit)}


def _already_sent(enrollment: Enrollment, columns: dict) -> bool:
    """The same trip, to the minute when a departure time is given, is already live."""
    trip_time = columns["trip_time"]
    return db.session.scalar(
        select(Submission.id).where(
            Submission.enrollment_id == enrollment.id, Submission.kind == SubmissionKind.TRIP,
            Submission.status.in_(LIVE), Submission.day == columns["day"], Submission.mode == columns["mode"],
            Submission.distance_km == columns["distance_km"], Submission.replaced_car == columns["replaced_car"],
            Submission.trip_time.is_(None) if trip_time is None else Submission.trip_time == trip_time,
        )
    ) is not None  # fmt: skip


def _counted_on(enrollment: Enrollment, day: date):
    """The resident's counted trips of `day`."""
    return select(Submission).where(
        Submission.enrollment_id == enrollment.id,
        Submission.kind == SubmissionKind.TRIP,
        Submission.day == day,
        Submission.status == SubmissionStatus.ACCEPTED,
    )


def _counted_before(submission: Submission) -> tuple[float, int]:
    """(units, points) of the counted trips of its day sent before it: the part of the day's cap they took."""
    counted = _counted_on(submission.enrollment, submission.day).subquery()
    query = select(func.coalesce(func.sum(counted.c.units), 0.0), func.coalesce(func.sum(counted.c.points), 0))
    if submission.id is not None:
        query = query.where(counted.c.id < submission.id)
    units, points = db.session.execute(query).one()
    return units, points


def _unusual_day(submission: Submission) -> tuple[FlagRule, dict] | None:
    """The rule the trip's day breaks with it, and the numbers; None when the day is plausible."""
    enrollment, day = submission.enrollment, submission.day
    count, km = _day_totals(enrollment, day)
    count, km = count + 1, km + submission.distance_km
    limit = submission.challenge.max_km_per_day
    if km > limit:
        return FlagRule.KM_PER_DAY, flag_values(km, limit)
    usual = _usual_day(enrollment, day)
    if usual is None:
        return None
    usual_count, usual_km = usual
    if count > (most := math.floor(USUAL_FACTOR * usual_count)):
        return FlagRule.TRIPS_UNUSUAL, flag_values(count, most)
    if km > (most := USUAL_FACTOR * usual_km):
        return FlagRule.KM_UNUSUAL, flag_values(km, most)
    return None


def _day_totals(enrollment: Enrollment, day: date) -> tuple[int, float]:
    """(trips, km) the resident sent for `day` that still count or wait for review."""
    count, km = db.session.execute(
        select(func.count(Submission.id), func.coalesce(func.sum(Submission.distance_km), 0.0)).where(
            Submission.enrollment_id == enrollment.id,
            Submission.day == day,
            Submission.kind == SubmissionKind.TRIP,
            Submission.status.in_(LIVE),
        )
    ).one()
    return count, km


def _usual_day(enrollment: Enrollment, day: date) -> tuple[float, float] | None:
    """The resident's usual day: the median trips and km of their other days with counted trips; None with too few."""
    days = db.session.execute(
        select(func.count(Submission.id), func.sum(Submission.distance_km))
        .where(
            Submission.enrollment_id == enrollment.id,
            Submission.kind == SubmissionKind.TRIP,
            Submission.status == SubmissionStatus.ACCEPTED,
            Submission.day != day,
        )
        .group_by(Submission.day)
    ).all()
    if len(days) < USUAL_MIN_DAYS:
        return None
    return statistics.median(count for count, _km in days), statistics.median(km for _count, km in days)


def _mode(text: str) -> Mode:
    mode = MODES.get(text.strip().lower())
    if mode is None:
        raise csv_cells.RowError(_l("“%(value)s” is not a known mode of transport.", value=text))
    return mode


TRIP = Trip()


def submit_trip(
    enrollment: Enrollment, day: date, mode: Mode, distance_km: float, replaced_car: bool, *,
    trip_time: time | None = None, **options,
) -> tuple[Submission, bool]:  # fmt: skip
    """Store a trip; returns (submission, created). Refusals raise and store nothing."""
    values = {
        "day": day,
        "mode": mode,
        "distance_km": distance_km,
        "replaced_car": replaced_car,
        "trip_time": trip_time,
    }
    return TRIP.submit(enrollment, values, **options)
