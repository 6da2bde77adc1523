"""marshmallow schemas of a resident's points: the ledger's filters that come in, and the balance, level and
entries that go out."""

from datetime import date, datetime

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from app.schemas import enum_field, year_between
from rewards.models import EntryKind

_plausible_year = year_between(1900, 2999)  # no entry lies outside


# Input --------------------------------------------------------------------------------------


class DateOrMoment(ma.fields.Field):
    """A day (2026-03-01) or a moment (2026-03-01T10:00:00+01:00; without offset, in the city's time zone)."""

    def _deserialize(self, value, attr, data, **kwargs) -> date | datetime:
        try:
            parsed = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except (TypeError, ValueError) as error:
            raise ma.ValidationError(str(_l("Give a date (2026-03-01) or a date and time (ISO 8601)."))) from error
        _plausible_year(parsed)
        return parsed


class KindList(ma.fields.List):
    """Kinds of entry, as repeated parameters (kind=bonus&kind=prize) or a comma list (kind=bonus,prize)."""

    def __init__(self, **kwargs):
        super().__init__(enum_field(EntryKind), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        values = value if isinstance(value, list) else [value]
        split = [part.strip() for item in values for part in str(item).split(",") if part.strip()]
        try:
            return super()._deserialize(split, attr, data, **kwargs)
        except ma.ValidationError as error:  # one message for the field, not one per position
            kinds = ", ".join(kind.value for kind in EntryKind)
            raise ma.ValidationError(str(_l("Choose kinds from: %(kinds)s.", kinds=kinds))) from error


class LedgerArgumentsSchema(ma.Schema):
    kind = KindList(
        metadata={"description": "Only entries of these kinds; repeat the parameter or list them with commas."}
    )
    since = DateOrMoment(
        data_key="from", metadata={"description": "From this day (00:00 in the city) or moment on.", "type": "string"}
    )
    until = DateOrMoment(
        data_key="to", metadata={"description": "Up to this day (included) or moment (excluded).", "type": "string"}
    )
    format = ma.fields.String(
        load_default="json",
        validate=validate.OneOf(["json", "csv"]),
        metadata={"description": "csv: every matching entry as a CSV download (so does Accept: text/csv)."},
    )


# Output -------------------------------------------------------------------------------------


class LevelSchema(ma.Schema):
    number = ma.fields.Integer()
    name = ma.fields.String()
    threshold = ma.fields.Integer()
    next_threshold = ma.fields.Integer(allow_none=True, metadata={"description": "null at the top level."})
    points_to_next = ma.fields.Integer(allow_none=True)


class LedgerEntrySchema(ma.Schema):
    id = ma.fields.Integer()
    created_at = ma.fields.AwareDateTime()
    kind = enum_field(EntryKind)
    amount = ma.fields.Integer(metadata={"description": "Positive for credits, negative for debits."})
    reason = ma.fields.String(metadata={"description": "The reason as a sentence in your language."})
    reason_code = ma.fields.String()
    source_key = ma.fields.String()


class LedgerSchema(ma.Schema):
    balance = ma.fields.Integer()
    lifetime_points = ma.fields.Integer(metadata={"description": "Earned over all time; decides the level."})
    level = ma.fields.Nested(LevelSchema)
    entries = ma.fields.List(ma.fields.Nested(LedgerEntrySchema), metadata={"description": "This page, newest first."})
