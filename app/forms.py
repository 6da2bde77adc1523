"""Helpers shared by the HTML forms of every package."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def plausible_year(_form, field) -> None:
    """Refuse far-off years: they cannot be converted between time zones, and no form needs them."""
    if field.data is not None and not 2000 <= field.data.year <= 2200:
        raise ValidationError(_l("Enter a date between the years 2000 and 2200."))


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
