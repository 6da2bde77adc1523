"""The admins' form for a funding programme, in English and German."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import LocaleIntegerField, choices
from neighbourhoods import services as neighbourhoods
from nudges.models import FundingProgramme

TEXT_FIELDS = ("name_en", "name_de", "description_en", "description_de", "provider", "funds_en", "funds_de", "link")


class FundingProgrammeForm(FlaskForm):
    """A programme: names and texts in both languages, who is eligible, where to apply, until when."""

    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=120)])
    name_de = StringField(_l("Name (German)"), validators=[DataRequired(), Length(max=120)])
    provider = StringField(
        _l("Provider"), validators=[DataRequired(), Length(max=120)], description=_l("Who pays, e.g. the city.")
    )
    funds_en = StringField(
        _l("What it funds (English)"), validators=[DataRequired(), Length(max=200)],
        description=_l("In a few words, e.g. “a new energy-efficient fridge”."),
    )  # fmt: skip
    funds_de = StringField(_l("What it funds (German)"), validators=[DataRequired(), Length(max=200)])
    description_en = TextAreaField(_l("Description (English)"))
    description_de = TextAreaField(_l("Description (German)"))
    min_household_size = LocaleIntegerField(
        _l("Smallest household"), validators=[Optional()], description=_l("Leave empty for no lower limit.")
    )
    max_household_size = LocaleIntegerField(
        _l("Largest household"), validators=[Optional()], description=_l("Leave empty for no upper limit.")
    )
    neighbourhood_ids = SelectMultipleField(
        _l("Neighbourhoods"), coerce=int, validators=[Optional()],
        description=_l("Choose none if residents of every neighbourhood are eligible."),
    )  # fmt: skip
    link = StringField(
        _l("Web address"), validators=[DataRequired(), Length(max=300)],
        description=_l("The provider's page where residents apply, starting with https://."),
    )  # fmt: skip
    valid_until = DateField(
        _l("Apply until"), validators=[Optional()], description=_l("The last day to apply; empty if open-ended.")
    )
    active = BooleanField(_l("Active"), description=_l("Inactive programmes are not offered to anyone."))

    @classmethod
    def for_programme(cls, programme: FundingProgramme | None, **kwargs) -> "FundingProgrammeForm":
        if programme is None:
            form = cls(data={"active": True}, **kwargs)
        else:
            data = {
                name: getattr(programme, name)
                for name in (*TEXT_FIELDS, "min_household_size", "max_household_size", "valid_until", "active")
            }
            data["neighbourhood_ids"] = [place.id for place in programme.neighbourhoods]
            form = cls(data=data, **kwargs)
        form.neighbourhood_ids.choices = choices((n.id, n.name) for n in neighbourhoods.list_neighbourhoods())
        return form

    def values(self) -> dict:
        """The fields as the funding services take them."""
        values = {name: getattr(self, name).data or "" for name in TEXT_FIELDS}
        values.update(
            min_household_size=self.min_household_size.data, max_household_size=self.max_household_size.data,
            valid_until=self.valid_until.data, active=self.active.data,
            neighbourhood_ids=list(self.neighbourhood_ids.data or []),
        )  # fmt: skip
        return values

    def show_errors(self, problems: dict) -> None:
        """Put a service's {field: message} on the form's fields."""
        for name, message in problems.items():
            field = self._fields.get(name)
            if field is None:
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]
