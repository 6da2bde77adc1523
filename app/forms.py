"""Helpers shared by the HTML forms of every package, and the one way a number is typed.

Every number a person types — a meter reading, a distance, a target, a cost, a household count — is a
text input read by the reader's language with Babel: 10.018,5 or 10018,5 in German, 10,018.5 or 10018.5
in English. A browser's number input is not used: depending on the browser and its locale it drops a
decimal comma or sends 10018,5 as 100185, and the server could never tell.
"""

import math
import re
from decimal import Decimal

from babel import Locale
from babel.numbers import NumberFormatError, format_decimal, get_decimal_symbol, parse_decimal
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, StopValidation, ValidationError
from wtforms.widgets import TextInput

# ASCII digits with the two marks only: Python's Decimal would also take exponents, NaN, underscores and
# other scripts' digits, none of which a resident means in a meter reading.
WRITTEN_NUMBER = re.compile(r"[+-]?[0-9.,]*[0-9][0-9.,]*")
MAX_NUMBER_LENGTH = 40  # 1.000.000.000.000.000,000000 is 28; anything longer is a slip or an attack


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def plausible_year(_form, field) -> None:
    """Refuse far-off years: they cannot be converted between time zones, and no form needs them."""
    if field.data is not None and not 2000 <= field.data.year <= 2200:
        raise ValidationError(_l("Enter a date between the years 2000 and 2200."))


def in_one_language_at_least(message, min_length: int = 0):
    """A validator for the English twin of a text (app.bilingual): it or its German twin must be filled in.

    Either twin that is filled in needs `min_length` characters; the German field's own check is added by
    listing this validator on it too (it then skips the "one at least" part)."""

    def check(form, field) -> None:
        given = (field.data or "").strip()
        if field.name.endswith("_en"):
            twin = form[field.name[:-3] + "_de"]
            if not given and not (twin.data or "").strip():
                raise ValidationError(message)
        if given and len(given) < min_length:
            raise ValidationError(gettext("Give at least %(num)d characters, or none.", num=min_length))

    return check


def date_field(label, description=None) -> DateField:
    """An optional day, in a plausible year."""
    return DateField(label, validators=[Optional(), plausible_year], description=description)


def attach_error(form, error) -> None:
    """Show a domain error on the form field it names, or above the form when it names none."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def reader_locale() -> Locale:
    """The language numbers are read and written in: the request's, else English."""
    return get_locale() or Locale.parse("en")


def format_number(value: float | int | Decimal, grouped: bool = True) -> str:
    """A number with every digit it holds, as the reader writes it: 10018.5 is 10.018,5 in German."""
    return format_decimal(value, locale=reader_locale(), decimal_quantization=False, group_separator=grouped)


def parse_number(text: str) -> Decimal:
    """A number as the reader's language writes it; raises ValueError for anything else or ambiguous."""
    if len(text) > MAX_NUMBER_LENGTH or not WRITTEN_NUMBER.fullmatch(text):
        raise ValueError(text)
    try:
        return parse_decimal(text, locale=reader_locale(), strict=True)
    except NumberFormatError as error:
        raise ValueError(text) from error


class LocaleDecimalField(Field):
    """A decimal number as people write it in their language; its data is a float, as the models keep it.

    Whitespace around the number is dropped and whitespace alone counts as no input, so `InputRequired`
    and `Optional` treat a blank field alike. Anything else that is not a number of the reader's
    language is refused with an example of how to write one, and the field's other validators are
    skipped, so one message says what is wrong.
    """

    widget = TextInput()
    inputmode = "decimal"
    example = Decimal("10018.5")

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs["render_kw"] = {"inputmode": self.inputmode, "autocomplete": "off", **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else format_number(self.data)

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        self.data = None
        if not isinstance(valuelist[0], str):  # a file sent in its place
            self.raw_data = [""]
            raise ValueError(self.hint())
        self.raw_data = [valuelist[0].strip()]
        if self.raw_data[0]:
            try:
                self.data = self.parse(self.raw_data[0])
            except ValueError:
                raise ValueError(self.hint()) from None

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()

    def parse(self, text: str) -> float:
        return float(parse_number(text)) + 0.0  # -0 is stored and shown as 0

    def hint(self) -> str:
        """How to write a number here, in the reader's language."""
        grouped, plain = format_number(self.example), format_number(self.example, grouped=False)
        return gettext("Write the number like %(grouped)s or %(plain)s.", grouped=grouped, plain=plain)


class LocaleIntegerField(LocaleDecimalField):
    """A whole number as people write it in their language (1.000 in German, 1,000 in English); data is an int."""

    inputmode = "numeric"
    example = Decimal("10018")

    def parse(self, text: str) -> int:
        # No decimal mark at all: 1.000 is a thousand in German but one in English, and 4,0 is no household size.
        if get_decimal_symbol(reader_locale()) in text:
            raise ValueError(text)
        return int(parse_number(text))

    def hint(self) -> str:
        grouped, plain = format_number(self.example), format_number(self.example, grouped=False)
        return gettext("Write a whole number, like %(grouped)s or %(plain)s.", grouped=grouped, plain=plain)


class InRange(NumberRange):
    """WTForms' NumberRange with its messages, the bounds written as the reader writes numbers (1.000.000 in German).

    An empty or unreadable number is left to the field and to `InputRequired` or `Optional`.
    """

    def __call__(self, form, field) -> None:
        low, high, data = self._resolve(self.min), self._resolve(self.max), field.data
        if data is None or (math.isfinite(data) and (low is None or data >= low) and (high is None or data <= high)):
            return
        if self.message is not None:
            message = str(self.message)
        elif high is None:
            message = gettext("Number must be at least %(min)s.")
        elif low is None:
            message = gettext("Number must be at most %(max)s.")
        else:
            message = gettext("Number must be between %(min)s and %(max)s.")
        raise ValidationError(message % {"min": _written(low), "max": _written(high)})


def _written(bound) -> str | None:
    return None if bound is None else format_number(bound)
