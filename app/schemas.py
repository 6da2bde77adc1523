"""Field helpers shared by the API schemas of every package."""

import marshmallow as ma
from apispec import BasePlugin
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from app.bilingual import current_language
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


class StrictFloat(ma.fields.Float):
    """A JSON number only, never a string such as "1.5" or a boolean; NaN and infinity are refused too."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


def enum_field(enum_class, **kwargs) -> ma.fields.Enum:
    """An enum by its value ("issued"), as the API spells every enum."""
    return ma.fields.Enum(enum_class, by_value=True, **kwargs)


def year_between(first: int, last: int):
    """A validator for dates and moments: far-off years overflow when converted between time zones."""

    def validator(value) -> None:
        if not first <= value.year <= last:
            raise ma.ValidationError(
                str(_l("Must lie between the years %(first)s and %(last)s.", first=first, last=last))
            )

    return validator


def _no_control_characters(value: str) -> None:
    # PostgreSQL cannot store NUL, and no other control character belongs in plain text.
    if any(ord(char) < 32 and char not in "\n\r\t" for char in value):
        raise ma.ValidationError(str(_l("Control characters are not allowed.")))


def text_field(max_length: int, min_length: int = 0, **kwargs) -> ma.fields.String:
    """Plain text of bounded length, free of control characters other than line breaks and tabs."""
    length = validate.Length(min=min_length, max=max_length)
    return ma.fields.String(validate=[length, _no_control_characters], **kwargs)


class ChangesSchema(ma.Schema):
    """The body of a PATCH: any of its fields, but at least one; the OpenAPI description says so (minProperties)."""

    @ma.validates_schema
    def not_empty(self, data, **kwargs):
        if not data:
            raise ma.ValidationError(str(_l("Send at least one field to change.")), "_schema")


def _twin_names(name: str) -> tuple[str, str, str]:
    return name, f"{name}_en", f"{name}_de"


IN_LANGUAGE = {
    None: "In the request's language (as older clients send it); `_en` / `_de` set one language.",
    "en": "In English; empty when only written in German.",
    "de": "In German; empty when only written in English.",
}


def twin_field(max_length: int, language: str | None = None, min_length: int = 0, **kwargs) -> ma.fields.String:
    """One of a text's twins (app.bilingual): `language` "en" or "de", or None for the request's language.

    It may be empty (written only in the other language); when not, it needs `min_length` characters."""
    field = text_field(max_length, metadata={"description": IN_LANGUAGE[language]}, **kwargs)
    if min_length:
        field.validators.append(_empty_or_at_least(min_length))
    return field


def _empty_or_at_least(min_length: int):
    def check(value: str) -> None:
        if value.strip() and len(value.strip()) < min_length:
            raise ma.ValidationError(str(_l("Give at least %(num)d characters, or none.", num=min_length)))

    return check


class BilingualInput(ma.Schema):
    """Input with texts in English and German: `x_en`, `x_de`, and the older `x`, which is the request's language.

    An explicit twin wins over `x`. The services check that at least one language is given."""

    BILINGUAL: tuple[str, ...] = ()
    REQUIRED_TEXTS: tuple[str, ...] = ()  # each needs text in one language at least

    @ma.validates_schema(skip_on_field_errors=False, pass_original=True)
    def one_language_at_least(self, data, original, **kwargs):
        # Only a text not sent at all is refused here; a blank one is the service's to name, with its own words.
        sent = original if isinstance(original, dict) else {}
        missing = [name for name in self.REQUIRED_TEXTS if not any(key in sent for key in _twin_names(name))]
        if missing:
            message = str(_l("Missing data for required field."))
            raise ma.ValidationError({name: [message] for name in missing})

    @ma.post_load
    def into_twins(self, data, **kwargs):
        language = current_language()
        for name in self.BILINGUAL:
            if name in data:
                value = data.pop(name)
                data.setdefault(f"{name}_{language}", value)
        return data


class RulesPlugin(BasePlugin):
    """apispec: write into the OpenAPI description what the schemas refuse beyond their fields (minProperties)."""

    def schema_helper(self, name, definition, **kwargs):
        schema = kwargs.get("schema")
        schema_class = schema if isinstance(schema, type) else type(schema)
        if isinstance(schema_class, type) and issubclass(schema_class, ChangesSchema):
            return {"minProperties": 1}
        return None
