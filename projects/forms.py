"""HTML forms of community projects: pledging, and the manager's project form."""

from datetime import UTC, date, datetime, time
from uuid import uuid4

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.clock import city_zone
from app.forms import InRange, LocaleIntegerField, choices, in_one_language_at_least, plausible_year
from projects.services import MAX_PLEDGE, MAX_TARGET

CITY = 0  # the neighbourhood choice that means the whole city


def end_of_day(day: date) -> datetime:
    """The last second of `day` in the city, as UTC: a project open until a day takes pledges all that day."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=city_zone()).astimezone(UTC)


def local_day(moment: datetime | None) -> date | None:
    return moment.astimezone(city_zone()).date() if moment else None


class PledgeForm(FlaskForm):
    """Give points; the one-time key makes a second click book nothing twice."""

    points = LocaleIntegerField(_l("Points to pledge"), validators=[InputRequired(), InRange(min=1, max=MAX_PLEDGE)],
                                description=_l("If the project needs less, only what it needs is taken."))  # fmt: skip
    show_name = BooleanField(_l("Show my pseudonym in the list of backers"), default=False)
    idempotency_key = HiddenField(validators=[Optional(), Length(max=100)], default=lambda: uuid4().hex)

    def key(self) -> str | None:
        return self.idempotency_key.data or None


class CancelForm(FlaskForm):
    """The manager's button that cancels a project (and gives every pledge back)."""


TEXTS = ("title_en", "title_de", "description_en", "description_de")


class ProjectForm(FlaskForm):
    """Every field of a project; names match the service's, so its errors land on the right field."""

    title_en = StringField(
        _l("Title in English"),
        validators=[Length(max=120), in_one_language_at_least(_l("Please give the project a title."))],
        description=_l("Give the title in at least one language; residents reading the other see it with a note."),
    )
    title_de = StringField(_l("Title in German"), validators=[Length(max=120)])
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=5_000)],
                                   description=_l("What the points pay for, where and when."))  # fmt: skip
    description_de = TextAreaField(_l("Description in German"), validators=[Length(max=5_000)])
    neighbourhood_id = SelectField(
        _l("Neighbourhood"), coerce=int, validators=[InputRequired()],
        description=_l("Only its residents can pledge; choose the whole city for all."),
    )  # fmt: skip
    target = LocaleIntegerField(_l("Target in points"), validators=[InputRequired(), InRange(min=1, max=MAX_TARGET)])
    deadline = DateField(
        _l("Last day for pledges"), validators=[InputRequired(), plausible_year],
        description=_l("If the target is not reached by the end of this day, every pledge is returned."),
    )  # fmt: skip

    def __init__(self, neighbourhoods, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.neighbourhood_id.choices = choices([(CITY, _l("The whole city")), *neighbourhoods])

    @staticmethod
    def initial(project) -> dict:
        """A project's values in the shape the form shows them."""
        values = {name: getattr(project, name) for name in (*TEXTS, "target")}
        return values | {"neighbourhood_id": project.neighbourhood_id or CITY, "deadline": local_day(project.deadline)}

    def values(self) -> dict:
        """The entered values as the services take them."""
        data = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        data["neighbourhood_id"] = data["neighbourhood_id"] or None
        data["deadline"] = end_of_day(data["deadline"]) if data["deadline"] else None
        return data

    def show_errors(self, problems: dict) -> None:
        """Put a service's {field: message} on the form's fields."""
        for name, message in problems.items():
            if name in self:
                self[name].errors = [*self[name].errors, message]
            else:
                self.form_errors.append(message)
