"""Field helpers shared by the API schemas of every package."""

import marshmallow as ma
from marshmallow import validate

from app.routing import MAX_ID


def id_field(**kwargs) -> ma.fields.Integer:
    """A reference to a row by id: a strict positive integer the database can hold."""
    return ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class StrictBoolean(ma.fields.Boolean):
    """A JSON boolean only: `true` or `false`, never 0, 1 or "yes" (the spec says boolean)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
