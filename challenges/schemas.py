"""marshmallow schemas of challenges: separate shapes for what comes in and what goes out."""

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from app.schemas import BilingualInput, ChangesSchema, StrictBoolean, StrictFloat, text_field, twin_field
from challenges.models import Status, SubmissionKind, SubmissionStatus
from challenges.scoring import Category, Format, Metric, Mode

# Bounds that keep every number inside what the columns hold; the services apply the finer rules.
MAX_POINTS = 1_000_000
MAX_AMOUNT = 1e12
EARLIEST_YEAR, LATEST_YEAR = 2000, 2999


def plausible_year(value) -> None:
    # Far-off years overflow when converted between time zones; no reading or challenge lies there.
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ma.ValidationError(
            str(_l("Must lie between the years %(first)s and %(last)s.", first=EARLIEST_YEAR, last=LATEST_YEAR))
        )


def moment_field(**kwargs) -> ma.fields.AwareDateTime:
    """A moment with its UTC offset (ISO 8601); a time without offset is refused."""
    return ma.fields.AwareDateTime(validate=plausible_year, **kwargs)


def amount_field(**kwargs) -> StrictFloat:
    return StrictFloat(validate=validate.Range(min=-MAX_AMOUNT, max=MAX_AMOUNT), **kwargs)


def _points(**kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(strict=True, validate=validate.Range(min=-MAX_POINTS, max=MAX_POINTS), **kwargs)


def enum_field(enum_class, **kwargs) -> ma.fields.Enum:
    return ma.fields.Enum(enum_class, by_value=True, **kwargs)


# Input ------------------------------------------------------------------------------------


class ChallengeUpdateSchema(BilingualInput, ChangesSchema):
    """The fields of a challenge a manager may set; on PATCH only those sent change."""

    BILINGUAL = ("title", "description")
    title = twin_field(120, min_length=3)
    title_en = twin_field(120, "en", min_length=3)
    title_de = twin_field(120, "de", min_length=3)
    description = twin_field(10_000)
    description_en = twin_field(10_000, "en")
    description_de = twin_field(10_000, "de")
    category = enum_field(Category)
    metric = enum_field(Metric)
    format = enum_field(Format)
    starts_at = moment_field(allow_none=True)
    ends_at = moment_field(allow_none=True)
    points_per_unit = amount_field()
    daily_point_cap = _points(allow_none=True, metadata={"description": "Most points a day; null for no cap."})
    target = amount_field(allow_none=True, metadata={"description": "Collective challenges: the city's goal in units."})
    completion_goal = amount_field(allow_none=True, metadata={"description": "Units a resident needs for the bonus."})
    completion_bonus = _points()
    placement_points = ma.fields.List(_points(), metadata={"description": "Points for 1st, 2nd and 3rd place."})
    max_kwh_per_day = amount_field(metadata={"description": "More per day than this is flagged for review."})
    max_km_per_day = amount_field(metadata={"description": "More per day than this is flagged for review."})
    late_entry_days = ma.fields.Integer(
        validate=ma.validate.Range(0, 14),
        metadata={"description": "Days after the end in which activity dated inside the challenge is still taken."},
    )
    ranks_teams = StrictBoolean(metadata={"description": "Show a team ranking (total and per member) beside others."})


class ChallengeCreateSchema(ChallengeUpdateSchema):
    """A new draft: title (in one language at least), category, metric and format are needed now, the rest
    before publishing."""

    REQUIRED_TEXTS = ("title",)
    category = enum_field(Category, required=True)
    metric = enum_field(Metric, required=True)
    format = enum_field(Format, required=True)


class ChallengeFilterSchema(ma.Schema):
    category = enum_field(Category)
    status = enum_field(Status)
    open_to_me = ma.fields.Boolean(
        truthy={"true"},
        falsy={"false"},
        load_default=False,
        metadata={"description": "Only what you can join now, or have joined and is still running."},
    )


class IdempotencyHeaderSchema(ma.Schema):
    idempotency_key = ma.fields.String(
        data_key="Idempotency-Key",
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Send the same key again to get the first result instead of a second submission."},
    )


class WithdrawalSchema(ma.Schema):
    reason = text_field(
        1_000, min_length=1, required=True, metadata={"description": "Why you withdraw it, in your words; it is kept."}
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
    title = ma.fields.String(metadata={"description": "In the request's language, else the other one."})
    title_en = ma.fields.String()
    title_de = ma.fields.String()
    description = ma.fields.String(metadata={"description": "In the request's language, else the other one."})
    description_en = ma.fields.String()
    description_de = ma.fields.String()
    category = enum_field(Category)
    metric = enum_field(Metric)
    format = enum_field(Format)
    status = enum_field(Status)
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
    late_entry_days = ma.fields.Integer()
    late_entries_until = ma.fields.AwareDateTime(allow_none=True)
    ranks_teams = ma.fields.Boolean(metadata={"description": "The boards show a team ranking."})
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
    kind = enum_field(SubmissionKind)
    status = enum_field(SubmissionStatus)
    read_at = ma.fields.AwareDateTime(allow_none=True)
    meter_kwh = ma.fields.Float(allow_none=True)
    consumed_kwh = ma.fields.Float(allow_none=True, metadata={"description": "Used since the previous reading."})
    day = ma.fields.Date(allow_none=True)
    trip_time = ma.fields.Time(allow_none=True)
    mode = enum_field(Mode, allow_none=True)
    distance_km = ma.fields.Float(allow_none=True)
    replaced_car = ma.fields.Boolean(allow_none=True)
    units = ma.fields.Float()
    points = ma.fields.Integer()
    flag_reason = ma.fields.String(allow_none=True)
    review_reason = ma.fields.String(allow_none=True)
    reviewed_at = ma.fields.AwareDateTime(allow_none=True)
    withdrawn_at = ma.fields.AwareDateTime(allow_none=True)
    withdrawal_reason = ma.fields.String(allow_none=True, metadata={"description": "Why its sender withdrew it."})
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
