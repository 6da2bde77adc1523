"""marshmallow schemas of accounts: separate shapes for what comes in and what goes out."""

import marshmallow as ma
from marshmallow import validate

from accounts.forms import PSEUDONYM_PATTERN
from accounts.models import Role
from accounts.preferences import LETTER_SPACINGS, LINE_SPACINGS, TEXT_SCALES
from app.schemas import ChangesSchema, StrictBoolean, id_field
from neighbourhoods.schemas import NeighbourhoodSchema


class DisplaySchema(ma.Schema):
    text_scale = ma.fields.Integer(strict=True, validate=validate.OneOf(TEXT_SCALES))
    line_spacing = ma.fields.String(validate=validate.OneOf(list(LINE_SPACINGS)))
    letter_spacing = ma.fields.String(validate=validate.OneOf(list(LETTER_SPACINGS)))
    high_contrast = StrictBoolean()


class MeSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String(allow_none=True)  # residents registered at a service desk may have none
    pseudonym = ma.fields.String()
    role = ma.fields.Enum(Role, by_value=True)
    neighbourhood = ma.fields.Nested(NeighbourhoodSchema, allow_none=True)
    household_size = ma.fields.Integer()
    language = ma.fields.String()
    leaderboard_visible = ma.fields.Boolean()
    display = ma.fields.Nested(DisplaySchema)
    created_at = ma.fields.AwareDateTime()


class MeUpdateSchema(ChangesSchema):
    pseudonym = ma.fields.String(validate=[validate.Length(min=3, max=40), validate.Regexp(PSEUDONYM_PATTERN)])
    neighbourhood_id = id_field()
    household_size = ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=12))
    language = ma.fields.String(validate=validate.OneOf(["en", "de"]))
    leaderboard_visible = StrictBoolean()
    display = ma.fields.Nested(DisplaySchema)
