"""HTML forms of data sharing: a consent cell of the grid, and the admins' catalogue and credit rates."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from app.forms import InRange, LocaleIntegerField, choices
from sharing import display
from sharing.models import DURATIONS, Level

MAX_POINTS = 100_000


class ConsentForm(FlaskForm):
    """One cell of the grid: share a category with a purpose at a level, for a while."""

    category_id = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,9}$")])
    purpose_id = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,9}$")])
    level = SelectField(_l("Level of detail"), default=Level.CITY.value)
    duration_months = SelectField(_l("For"), default="6")

    def __init__(self, week_start: date, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = choices((level.value, display.level_choice(level, week_start)) for level in Level)
        self.duration_months.choices = choices((str(months), display.months(months)) for months in DURATIONS)


class PaperConsentForm(FlaskForm):
    """A consent a resident signed on paper, entered at the service desk."""

    category_id = SelectField(_l("Data"), validators=[InputRequired()])
    purpose_id = SelectField(_l("Purpose"), validators=[InputRequired()])
    level = SelectField(_l("Level of detail"), default=Level.CITY.value)
    duration_months = SelectField(_l("For"), default="6")
    paper_reference = StringField(
        _l("Reference of the signed form"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("The number or file reference under which the signed paper is kept."),
    )

    def __init__(self, categories, purposes, week_start: date, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category_id.choices = choices((str(c.id), display.name(c)) for c in categories)
        self.purpose_id.choices = choices((str(p.id), display.name(p)) for p in purposes)
        self.level.choices = choices((level.value, display.level_choice(level, week_start)) for level in Level)
        self.duration_months.choices = choices((str(months), display.months(months)) for months in DURATIONS)


def _code_field():
    return StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[a-z_]+$", message=_l("Use lowercase letters and _ only.")),
        ],
        description=_l("What the code asks the consent gate about; it cannot change later."),
    )


class _CatalogueForm(FlaskForm):
    code = _code_field()  # unique: sharing/catalogue.py checks
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=120)])
    name_de = StringField(_l("Name in German"), validators=[DataRequired(), Length(max=120)])
    active = BooleanField(_l("Active"), default=True, description=_l("Inactive entries are not offered for consent."))

    def __init__(self, *args, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is not None:
            del self.code  # the code is fixed once created


class CategoryForm(_CatalogueForm):
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=2000)])
    description_de = TextAreaField(_l("Description in German"), validators=[Length(max=2000)])


class PurposeForm(_CatalogueForm):
    explanation_en = TextAreaField(
        _l("Explanation in English"), validators=[DataRequired(), Length(max=2000)],
        description=_l("In plain words: what the data is used for and what is published."),
    )  # fmt: skip
    explanation_de = TextAreaField(_l("Explanation in German"), validators=[DataRequired(), Length(max=2000)])
    organisation_en = StringField(_l("Organisation in English"), validators=[DataRequired(), Length(max=160)])
    organisation_de = StringField(
        _l("Organisation in German"),
        validators=[Length(max=160)],
        description=_l("Only where it differs; German pages show the English name otherwise."),
    )
    third_party = BooleanField(_l("Third party"), description=_l("The data leaves the city administration."))


def _points(label, description=None):
    return LocaleIntegerField(label, validators=[InputRequired(), InRange(min=0, max=MAX_POINTS)],
                        description=description)  # fmt: skip


class RateForm(FlaskForm):
    """A level's weekly data dividend from a coming Monday on."""

    level = SelectField(
        _l("Level"), choices=choices((level.value, label) for level, label in display.LEVEL_LABELS.items())
    )
    effective_from = DateField(_l("From Monday"), validators=[InputRequired()],
                               description=_l("A coming Monday; weeks already started keep their rate."))  # fmt: skip
    base_points = _points(_l("Base points"), _l("For a week in which the consent brought any data."))
    points_per_record = _points(_l("Points per record"), _l("For each reading or trip that week."))
    max_records = _points(_l("Records counted at most"), _l("Per week."))

    def validate_effective_from(self, field) -> None:
        if field.data is not None and not 2000 <= field.data.year <= 2200:
            raise ValidationError(_l("Enter a date between the years 2000 and 2200."))
