"""marshmallow schemas of a resident's badges: the privacy switch that comes in, the awards that go out."""

import marshmallow as ma

from app.schemas import StrictBoolean


class BadgeUpdateSchema(ma.Schema):
    private = StrictBoolean(required=True, metadata={"description": "true hides the badge: its assertion is revoked."})


class BadgeSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String(metadata={"description": "In the request's language, else the other one."})
    name_en = ma.fields.String()
    name_de = ma.fields.String()
    description = ma.fields.String(metadata={"description": "In the request's language, else the other one."})
    description_en = ma.fields.String()
    description_de = ma.fields.String()
    image_url = ma.fields.String(allow_none=True)


class BadgeAwardSchema(ma.Schema):
    uid = ma.fields.String()
    badge = ma.fields.Nested(BadgeSchema)
    awarded_at = ma.fields.AwareDateTime()
    private = ma.fields.Boolean()
    assertion_url = ma.fields.String(
        allow_none=True, metadata={"description": "The public Open Badges 2.0 assertion; revoked while private."}
    )
