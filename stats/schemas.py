"""Statistics filters as the API takes them, the period rules the dashboard shares, and the output shapes."""

from datetime import date, timedelta

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from app.routing import MAX_ID
from challenges.scoring import Category
from sharing.models import Level
from stats.dialects import DIALECTS, RFC4180
from stats.periods import Granularity, bucket_start
from stats.services import protected_head_count

# A table wider than this is unreadable and slow to suppress: the period is refused instead.
MAX_BUCKETS = 400
MAX_IDS = 100
EARLIEST_YEAR, LATEST_YEAR = 2000, 2200
DEFAULT_WEEKS = 12
FORMATS = ("json", "csv", "xlsx", "zip")


def default_period(today: date) -> tuple[date, date]:
    """The last 12 full weeks (Monday to Sunday) before the current one."""
    monday = bucket_start(today, Granularity.WEEK)
    return monday - timedelta(weeks=DEFAULT_WEEKS), monday - timedelta(days=1)


def bucket_count(start: date, end: date, granularity: Granularity) -> int:
    """How many periods (table columns) `start`..`end` spans, counted without listing them."""
    first, last = bucket_start(start, granularity), bucket_start(end, granularity)
    if granularity == Granularity.MONTH:
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return (last - first).days // (7 if granularity == Granularity.WEEK else 1) + 1


def plausible_year(day: date) -> str | None:
    if EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        return None
    return str(_l("Enter a date between the years %(first)d and %(last)d.", first=EARLIEST_YEAR, last=LATEST_YEAR))


def period_problem(start: date, end: date, granularity: Granularity) -> tuple[str, str] | None:
    """(field, message) when the period is back to front or has too many columns; None when it is fine."""
    if end < start:
        return "to", str(_l("The last day must not be before the first day."))
    count = bucket_count(start, end, granularity)
    if count > MAX_BUCKETS:
        message = _l(
            "This period has %(num)d columns at this granularity; at most %(max)d fit. "
            "Choose a shorter period or a coarser granularity.",
            num=count,
            max=MAX_BUCKETS,
        )
        return "period", str(message)
    return None


def _day(**kwargs) -> ma.fields.Date:
    def check(day: date) -> None:
        problem = plausible_year(day)
        if problem:
            raise ma.ValidationError(problem)

    return ma.fields.Date(validate=check, **kwargs)


def _ids(description: str) -> ma.fields.List:
    return ma.fields.List(
        ma.fields.Integer(validate=validate.Range(min=1, max=MAX_ID)),
        load_default=list,
        validate=validate.Length(max=MAX_IDS),
        metadata={"description": description},
    )


# Input ------------------------------------------------------------------------------------


class ParticipationQuerySchema(ma.Schema):
    """The figures to export: place level, period length, days, and which challenges and places count."""

    group_by = ma.fields.String(
        load_default=Level.NEIGHBOURHOOD.value,
        validate=validate.OneOf([Level.NEIGHBOURHOOD.value, Level.CITY.value]),
        metadata={"description": "neighbourhood: one row per neighbourhood; city: one row for the whole city."},
    )
    period = ma.fields.String(
        load_default=Granularity.WEEK.value,
        validate=validate.OneOf([g.value for g in Granularity]),
        metadata={"description": "The length of each column: day, week (from Monday) or month."},
    )
    start = _day(data_key="from", metadata={"description": "First day (the city's calendar). Default: 12 weeks back."})
    end = _day(data_key="to", metadata={"description": "Last day, included. Default: last Sunday."})
    challenge_id = _ids("Only these published challenges (repeat the argument for several).")
    category = ma.fields.String(validate=validate.OneOf([c.value for c in Category]))
    neighbourhood_id = _ids("Only these neighbourhoods (repeat the argument for several).")
    format = ma.fields.String(
        load_default="json",
        validate=validate.OneOf(FORMATS),
        metadata={"description": "json (with metadata), csv, xlsx, or zip (data.csv and metadata.json)."},
    )
    dialect = ma.fields.String(
        load_default=RFC4180,
        validate=validate.OneOf(DIALECTS),
        metadata={
            "description": "For format=csv: rfc4180 (comma, decimal point, codes, a withheld value empty) or excel "
            "(for a spreadsheet in the caller's language: in German `;`, decimal comma, a UTF-8 byte order mark, "
            "translated headers and codes, a withheld value as `.` with a note under the table)."
        },
    )


# Output -----------------------------------------------------------------------------------


class ParticipationSchema(ma.Schema):
    """A protected release: every value is either shown or withheld (`status`), never a row about one person."""

    metadata = ma.fields.Dict(metadata={"description": "DCAT-AP-style description: period, licence, suppression."})
    periods = ma.fields.List(ma.fields.String(), metadata={"description": "First day of each column."})
    measures = ma.fields.Dict(
        metadata={"description": "Per measure: label, rows (place, values, total), column_totals, grand_total."}
    )
    retention = ma.fields.Dict(metadata={"description": "Per place: share of joiners still active after 4 weeks."})
    consents = ma.fields.List(ma.fields.Dict(), metadata={"description": "Consents in force by purpose and level."})


class StatsExportSchema(ma.Schema):
    """One entry of the export history: who used the figures, when, with which filters and whose data."""

    id = ma.fields.Integer()
    created_at = ma.fields.AwareDateTime()
    actor = ma.fields.String(attribute="actor_label")
    description = ma.fields.String()
    level = ma.fields.Enum(Level, by_value=True)
    filters = ma.fields.Dict()
    residents_included = ma.fields.Function(
        lambda use: protected_head_count(use.resident_count),
        metadata={"description": "Residents the use rested on, rounded to a multiple of 5; null below the "
                                 "small-cell threshold."},
    )  # fmt: skip
    residents_excluded = ma.fields.Integer(
        attribute="excluded_count", metadata={"description": "Residents left out for lack of consent."}
    )


class PrivacyBudgetSchema(ma.Schema):
    """The yearly privacy budget per resident: epsilon in total, the most any resident spent, in how many releases."""

    dataset = ma.fields.String()
    total = ma.fields.Float()
    spent = ma.fields.Float()
    releases = ma.fields.Integer()


# The city impact board (stats.impact) ---------------------------------------------------------

_WITHHELD = "null when it rests on fewer than `min_residents` residents"


class ImpactModesSchema(ma.Schema):
    walk = ma.fields.Float(allow_none=True, metadata={"description": f"Trips on foot; {_WITHHELD}"})
    bike = ma.fields.Float(allow_none=True, metadata={"description": f"Trips by bike; {_WITHHELD}"})
    public_transport = ma.fields.Float(allow_none=True, metadata={"description": f"Trips by bus or train; {_WITHHELD}"})
    carpool = ma.fields.Float(allow_none=True, metadata={"description": f"Shared car rides; {_WITHHELD}"})
    car = ma.fields.Float(allow_none=True, metadata={"description": f"Trips by car, alone; {_WITHHELD}"})


class ImpactWindowSchema(ma.Schema):
    kwh_saved = ma.fields.Float(allow_none=True, metadata={"description": f"Electricity saved in kWh; {_WITHHELD}"})
    car_km_avoided = ma.fields.Float(allow_none=True, metadata={"description": f"Car kilometres avoided; {_WITHHELD}"})
    co2_kg_avoided = ma.fields.Float(allow_none=True, metadata={"description": f"CO₂ avoided in kg; {_WITHHELD}"})
    trips = ma.fields.Float(allow_none=True, metadata={"description": f"Counted trips; {_WITHHELD}"})
    active_participants = ma.fields.Float(
        allow_none=True, metadata={"description": f"Residents with a counted reading or trip; {_WITHHELD}"}
    )
    trips_by_mode = ma.fields.Nested(ImpactModesSchema, required=True)


class ImpactNeighbourhoodSchema(ma.Schema):
    name = ma.fields.String(required=True)
    rank = ma.fields.Integer(allow_none=True, metadata={"description": "null when not ranked (too few residents)"})
    co2_kg_avoided = ma.fields.Float(allow_none=True)
    active_participants = ma.fields.Float(allow_none=True)
    co2_kg_per_participant = ma.fields.Float(allow_none=True, metadata={"description": "what the ranking compares"})


class ImpactSchema(ma.Schema):
    as_of = ma.fields.String(
        required=True, metadata={"format": "date", "description": "The city day the figures were computed on."}
    )
    week_from = ma.fields.String(
        required=True, metadata={"format": "date", "description": 'The Monday "this week" starts on.'}
    )
    min_residents = ma.fields.Integer(required=True, metadata={"description": "Figures rest on at least this many."})
    so_far = ma.fields.Nested(ImpactWindowSchema, required=True)
    this_week = ma.fields.Nested(ImpactWindowSchema, required=True)
    neighbourhoods = ma.fields.List(ma.fields.Nested(ImpactNeighbourhoodSchema), required=True)
    teams = ma.fields.List(
        ma.fields.Nested(ImpactNeighbourhoodSchema),
        required=True,
        metadata={"description": "Approved teams resting on at least min_residents consenting residents, ranked "
                  "by CO₂ per active participant (a sub-team's members count in its parent)."},
    )  # fmt: skip
