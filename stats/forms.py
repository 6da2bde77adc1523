"""The dashboard's filter form, sent with GET so a view can be bookmarked and exported as it is."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField
from wtforms.validators import Optional, ValidationError

from app.forms import choices
from challenges.scoring import Category
from sharing.models import Level
from stats import schemas
from stats.figures import Filters
from stats.periods import Granularity
from stats.release import MEASURE_LABELS

GRANULARITY_LABELS = {Granularity.DAY: _l("Day"), Granularity.WEEK: _l("Week"), Granularity.MONTH: _l("Month")}
LEVEL_LABELS = {Level.NEIGHBOURHOOD: _l("Per neighbourhood"), Level.CITY: _l("Whole city")}
CATEGORY_LABELS = {Category.ENERGY: _l("Energy"), Category.MOBILITY: _l("Mobility")}
# Measures whose row totals add up, so neighbourhoods can be compared by them.
COMPARABLE = ("submissions", "joins", "registrations", "kwh_saved", "car_km_avoided", "sustainable_trips",
              "co2_kg_avoided", "points_earned", "points_redeemed")  # fmt: skip


def _plausible_year(_form, field) -> None:
    problem = schemas.plausible_year(field.data) if field.data is not None else None
    if problem:
        raise ValidationError(problem)


class StatsFilterForm(FlaskForm):
    """Period, challenges, category, neighbourhoods, granularity and level; choices come from the database."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional(), _plausible_year], description=_l("First day, included."))
    end = DateField(_l("To"), validators=[Optional(), _plausible_year], description=_l("Last day, included."))
    challenge_ids = SelectMultipleField(
        _l("Challenges"), coerce=int, validators=[Optional()], description=_l("None chosen: every challenge.")
    )
    category = SelectField(_l("Category"), validators=[Optional()])
    neighbourhood_ids = SelectMultipleField(
        _l("Neighbourhoods"), coerce=int, validators=[Optional()], description=_l("None chosen: every neighbourhood.")
    )
    granularity = SelectField(_l("Period length"), default=Granularity.WEEK.value)
    level = SelectField(_l("Level"), default=Level.NEIGHBOURHOOD.value)
    compare = SelectField(_l("Compare neighbourhoods by"), default="submissions")

    def __init__(self, challenges, neighbourhoods, today: date, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.challenge_ids.choices = choices(challenges)
        self.neighbourhood_ids.choices = choices(neighbourhoods)
        self.category.choices = choices([("", _l("Any")), *((c.value, label) for c, label in CATEGORY_LABELS.items())])
        self.granularity.choices = choices((g.value, label) for g, label in GRANULARITY_LABELS.items())
        self.level.choices = choices((lvl.value, label) for lvl, label in LEVEL_LABELS.items())
        self.compare.choices = choices((name, MEASURE_LABELS[name]) for name in COMPARABLE)
        default_start, default_end = schemas.default_period(today)
        self.start.data = self.start.data or default_start
        self.end.data = self.end.data or default_end

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.start.data and self.end.data and self.granularity.data in set(Granularity):
            problem = schemas.period_problem(self.start.data, self.end.data, Granularity(self.granularity.data))
            if problem:
                field = self.end if problem[0] == "to" else self.granularity
                field.errors = [*field.errors, problem[1]]
                valid = False
        return valid

    def filters(self) -> Filters:
        return Filters(
            start=self.start.data, end=self.end.data, granularity=Granularity(self.granularity.data),
            level=Level(self.level.data), challenge_ids=tuple(sorted(set(self.challenge_ids.data or ()))),
            category=Category(self.category.data) if self.category.data else None,
            neighbourhood_ids=tuple(sorted(set(self.neighbourhood_ids.data or ()))),
        )  # fmt: skip

    def args(self) -> dict:
        """The filters as query arguments, for the export links."""
        values = {
            "start": self.start.data.isoformat(), "end": self.end.data.isoformat(),
            "granularity": self.granularity.data, "level": self.level.data, "category": self.category.data,
            "challenge_ids": self.challenge_ids.data or [], "neighbourhood_ids": self.neighbourhood_ids.data or [],
        }  # fmt: skip
        return {name: value for name, value in values.items() if value}
