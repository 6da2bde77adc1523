import marshmallow as ma
import marshmallow.validate


class NeighbourhoodSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(dump_only=True)
    households = ma.fields.Integer(dump_only=True)


class LookupQuerySchema(ma.Schema):
    """A street, a postcode or both, as a resident types them."""

    street = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=200),
        metadata={"description": "The street, with or without house number; spelling as typed (Str. or Straße)."},
    )
    postcode = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=10),
        metadata={"description": "The five-digit postcode."},
    )


class StreetSchema(ma.Schema):
    street = ma.fields.String(dump_only=True, attribute="name")
    postcode = ma.fields.String(dump_only=True)
    neighbourhood = ma.fields.Nested(NeighbourhoodSchema, dump_only=True)


class LookupSchema(ma.Schema):
    neighbourhood = ma.fields.Nested(
        NeighbourhoodSchema,
        dump_only=True,
        allow_none=True,
        metadata={"description": "The one neighbourhood every matching street lies in; null if none or several."},
    )
    candidates = ma.fields.List(
        ma.fields.Nested(StreetSchema),
        dump_only=True,
        attribute="streets",
        metadata={"description": "The matching streets (at most 30), each with its neighbourhood."},
    )
