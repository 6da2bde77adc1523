"""marshmallow schemas of challenges: separate shapes for what comes in and what goes out."""

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from app.schemas import StrictBoolean, StrictFloat, text_field
from challenges.models import Status, SubmissionKind, SubmissionStatus
from challenges.scoring import Category, Format, Metric, Mode

# Bounds that keep every number inside what the columns hold; the services apply the finer rules.
MAX_POINTS = 1_000_000
MAX_AMOUNT = 1e12
EARLIEST_YEAR, LATEST_YEAR = 2000, 2999


def _plausible_year(value) -> None:
    # Far-off years overflow when converted between time zones; no reading or challenge lies there.
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ma.ValidationError(
            str(_l("Must lie between the years %(first)s and %(last)s.", first=EARLIEST_YEAR, last=LATEST_YEAR))
        )


def _moment(**kwargs) -> ma.fields.AwareDateTime:
    """A moment with its UTC offset (ISO 8601); a time without offset is refused."""
    return ma.fields.AwareDateTime(validate=_plausible_year, **kwargs)


def _amount(**kwargs) -> StrictFloat:
    return StrictFloat(validate=validate.Range(min=-MAX_AMOUNT, max=MAX_AMOUNT), **kwargs)


def _points(**kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(strict=True, validate=validate.Range(min=-MAX_POINTS, max=MAX_POINTS), **kwargs)


def _enum(enum_class, **kwargs) -> ma.fields.Enum:
    return ma.fields.Enum(enum_class, by_value=True, **kwargs)


# Input ------------------------------------------------------------------------------------


class ChallengeUpdateSchema(ma.Schema):
    """The fields of a challenge a manager may set; on PATCH only those sent change."""

    title = text_field(120, min_length=1)
    description = text_field(10_000)
    category = _enum(Category)
    metric = _enum(Metric)
    format = _enum(Format)
    starts_at = _moment(allow_none=True)
    ends_at = _moment(allow_none=True)
    points_per_unit = _amount()
    daily_point_cap = _points(allow_none=True, metadata={"description": "Most points a day; null for no cap."})
    target = _amount(allow_none=True, metadata={"description": "Collective challenges: the city's goal in units."})
    completion_goal = _amount(allow_none=True, metadata={"description": "Units a resident needs for the bonus."})
    completion_bonus = _points()
    placement_points = ma.fields.List(_points(), metadata={"description": "Points for 1st, 2nd and 3rd place."})
    max_kwh_per_day = _amount(metadata={"description": "More per day than this is flagged for review."})
    max_km_per_day = _amount(metadata={"description": "More per day than this is flagged for review."})

    @ma.validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ma.ValidationError(str(_l("Send at least one field to change.")), "_schema")


class ChallengeCreateSchema(ChallengeUpdateSchema):
    """A new draft: title, category, metric and format are needed now, the rest before publishing."""

    title = text_field(120, min_length=1, required=True)
    category = _enum(Category, required=True)
    metric = _enum(Metric, required=True)
    format = _enum(Format, required=True)


class ChallengeFilterSchema(ma.Schema):
    category = _enum(Category)
    status = _enum(Status)
    open_to_me = ma.fields.Boolean(
        truthy={"true"},
        falsy={"false"},
        load_default=False,
        metadata={"description": "Only what you can join now, or have joined and is still running."},
    )


class SubmissionCreateSchema(ma.Schema):
    """A meter reading (energy challenges) or a trip (mobility challenges)."""

    read_at = _moment(metadata={"description": "Reading: when the meter was read."})
    meter_kwh = _amount(metadata={"description": "Reading: the meter's cumulative kWh."})
    day = ma.fields.Date(validate=_plausible_year, metadata={"description": "Trip: the day travelled."})
    mode = _enum(Mode, metadata={"description": "Trip: how you travelled."})
    distance_km = _amount(metadata={"description": "Trip: the distance in km."})
    replaced_car = StrictBoolean(metadata={"description": "Trip: whether it replaced a car trip."})
    trip_time = ma.fields.Time(metadata={"description": "Trip, optional: departure time, to tell two alike apart."})

    FIELDS = {
        SubmissionKind.READING: {"read_at": True, "meter_kwh": True},
        SubmissionKind.TRIP: {"day": True, "mode": True, "distance_km": True, "replaced_car": True, "trip_time": False},
    }

    @ma.validates("trip_time")
    def local_time(self, value, **kwargs):
        if value.tzinfo is not None:
            raise ma.ValidationError(str(_l("Give the local time without an offset.")))

    @classmethod
    def problems_for(cls, kind: SubmissionKind, data: dict) -> dict:
        """Field messages for what a submission of this kind lacks or must not carry."""
        fields = cls.FIELDS[kind]
        problems = {name: [str(_l("This field is required."))] for name, needed in fields.items() if needed}
        for name in data:
            problems.pop(name, None)
            if name not in fields:
                problems[name] = [str(NOT_PART_OF[kind])]
        return problems


NOT_PART_OF = {
    SubmissionKind.READING: _l("Energy challenges take meter readings: read_at and meter_kwh."),
    SubmissionKind.TRIP: _l("Mobility challenges take trips: day, mode, distance_km, replaced_car, trip_time."),
}


class IdempotencyHeaderSchema(ma.Schema):
    idempotency_key = ma.fields.String(
        data_key="Idempotency-Key",
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Send the same key again to get the first result instead of a second submission."},
    )


class ReviewDecisionSchema(ma.Schema):
    decision = ma.fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    reason = text_field(1_000, load_default="", metadata={"description": "Required to reject; the resident sees it."})


# Output -----------------------------------------------------------------------------------


class EnrollmentSchema(ma.Schema):
    challenge_id = ma.fields.Integer()
    active = ma.fields.Boolean(metadata={"description": "False after leaving."})
    score = ma.fields.Float(metadata={"description": "Units in the challenge's metric."})
    points = ma.fields.Integer()
    baseline_kwh_per_day = ma.fields.Float(allow_none=True)
    baseline_source = ma.fields.String(allow_none=True, metadata={"description": "readings or reference"})
    final_rank = ma.fields.Integer(allow_none=True)
    joined_at = ma.fields.AwareDateTime()
    left_at = ma.fields.AwareDateTime(allow_none=True)


class ChallengeSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    description = ma.fields.String()
    category = _enum(Category)
    metric = _enum(Metric)
    format = _enum(Format)
    status = _enum(Status)
    starts_at = ma.fields.AwareDateTime(allow_none=True)
    ends_at = ma.fields.AwareDateTime(allow_none=True)
    points_per_unit = ma.fields.Float()
    daily_point_cap = ma.fields.Integer(allow_none=True)
    target = ma.fields.Float(allow_none=True)
    completion_goal = ma.fields.Float(allow_none=True)
    completion_bonus = ma.fields.Integer()
    placement_points = ma.fields.List(ma.fields.Integer())
    max_kwh_per_day = ma.fields.Float()
    max_km_per_day = ma.fields.Float()
    participant_count = ma.fields.Integer()
    total_units = ma.fields.Float()
    progress = ma.fields.Float(
        allow_none=True, metadata={"description": "Collective: share of the target reached, 1.0 when met."}
    )
    created_at = ma.fields.AwareDateTime()
    published_at = ma.fields.AwareDateTime(allow_none=True)
    closed_at = ma.fields.AwareDateTime(allow_none=True)
    cancelled_at = ma.fields.AwareDateTime(allow_none=True)
    me = ma.fields.Nested(EnrollmentSchema, allow_none=True, metadata={"description": "Your part, once you joined."})


class SubmissionSchema(ma.Schema):
    id = ma.fields.Integer()
    challenge_id = ma.fields.Integer()
    kind = _enum(SubmissionKind)
    status = _enum(SubmissionStatus)
    read_at = ma.fields.AwareDateTime(allow_none=True)
    meter_kwh = ma.fields.Float(allow_none=True)
    consumed_kwh = ma.fields.Float(allow_none=True, metadata={"description": "Used since the previous reading."})
    day = ma.fields.Date(allow_none=True)
    trip_time = ma.fields.Time(allow_none=True)
    mode = _enum(Mode, allow_none=True)
    distance_km = ma.fields.Float(allow_none=True)
    replaced_car = ma.fields.Boolean(allow_none=True)
    units = ma.fields.Float()
    points = ma.fields.Integer()
    flag_reason = ma.fields.String(allow_none=True)
    review_reason = ma.fields.String(allow_none=True)
    reviewed_at = ma.fields.AwareDateTime(allow_none=True)
    source = ma.fields.String()
    created_at = ma.fields.AwareDateTime()


class ReviewItemSchema(SubmissionSchema):
    """A flagged submission as a manager sees it: the resident by pseudonym only."""

    pseudonym = ma.fields.Function(lambda submission: submission.user.pseudonym, metadata={"type": "string"})


class ChangeSchema(ma.Schema):
    field = ma.fields.String()
    old_value = ma.fields.String(allow_none=True)
    new_value = ma.fields.String(allow_none=True)
    changed_at = ma.fields.AwareDateTime()
    pseudonym = ma.fields.Function(
        lambda change: change.user.pseudonym if change.user else None, allow_none=True, metadata={"type": "string"}
    )
