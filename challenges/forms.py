"""HTML forms of challenges: the manager's challenge form, what every submission form shares, reviews and uploads.

Each kind of submission has its own form, in its module of `challenges.kinds`.
"""

from datetime import UTC, datetime
from uuid import uuid4

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.clock import city_zone
from app.forms import InRange, LocaleDecimalField, LocaleIntegerField, choices, in_one_language_at_least
from challenges.display import CATEGORY_LABELS, FORMAT_LABELS, METRIC_LABELS
from challenges.scoring import DEFAULT_MAX_KM_PER_DAY, DEFAULT_MAX_KWH_PER_DAY, METRICS_BY_CATEGORY

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
PLACES = ("placement_first", "placement_second", "placement_third")
MAX_POINTS = 1_000_000
MAX_AMOUNT = 1_000_000_000


def to_utc(local: datetime | None) -> datetime | None:
    """A datetime-local value, read in the city's time zone, as UTC."""
    if local is None:
        return None
    if local.tzinfo is None:
        local = local.replace(tzinfo=city_zone())
    return local.astimezone(UTC)


def to_local(moment: datetime | None) -> datetime | None:
    """A UTC moment as the naive city time a datetime-local input shows, to the minute."""
    if moment is None:
        return None
    return moment.astimezone(city_zone()).replace(tzinfo=None, second=0, microsecond=0)


def _plausible_year(_form, field) -> None:
    # Far-off years cannot be converted between time zones; no challenge needs them.
    if field.data is not None and not 2000 <= field.data.year <= 2200:
        raise ValidationError(_l("Enter a date between the years 2000 and 2200."))


def local_datetime_field(label, description=None, required=False):
    validators = [InputRequired() if required else Optional(), _plausible_year]
    return DateTimeLocalField(label, validators=validators, format=DATETIME_FORMATS, description=description)


def _amount_field(label, description=None, required=False, default=None):
    validators = [InputRequired() if required else Optional(), InRange(min=0, max=MAX_AMOUNT)]
    return LocaleDecimalField(label, validators=validators, description=description, default=default)


def _points_field(label, description=None, default=0):
    validators = [InputRequired(), InRange(min=0, max=MAX_POINTS)]
    return LocaleIntegerField(label, validators=validators, description=description, default=default)


def metric_choices():
    """Every metric, each saying which categories it fits, so the form works without scripts."""
    pairs = []
    for metric, label in METRIC_LABELS.items():
        fits = [str(CATEGORY_LABELS[c]) for c, metrics in METRICS_BY_CATEGORY.items() if metric in metrics]
        pairs.append((metric.value, f"{label} – {' / '.join(fits)}"))
    return choices(pairs)


TEXTS = ("title_en", "title_de", "description_en", "description_de")

NO_TITLE = _l("Give the title in English, in German or in both.")


class ChallengeForm(FlaskForm):
    """Every field of a challenge; names match the service's, so its errors land on the right field."""

    # In English, German or both (app.bilingual): the service asks for one and shows it with a note where the
    # other is missing.
    title_en = StringField(
        _l("Title in English"),
        validators=[Length(max=120), in_one_language_at_least(NO_TITLE, min_length=3)],
        description=_l("Give the title in at least one language; residents reading the other see it with a note."),
    )
    title_de = StringField(
        _l("Title in German"), validators=[Length(max=120), in_one_language_at_least(NO_TITLE, min_length=3)]
    )
    description_en = TextAreaField(
        _l("Description in English"),
        validators=[Length(max=20_000)],
        description=_l("Plain text. Leave an empty line between paragraphs. Needed before publishing."),
    )
    description_de = TextAreaField(_l("Description in German"), validators=[Length(max=20_000)])
    category = SelectField(_l("Category"), validators=[InputRequired()])
    metric = SelectField(
        _l("What counts"),
        validators=[InputRequired()],
        description=_l("The metric must fit the category; CO₂ avoided fits both."),
    )
    format = SelectField(_l("Format"), validators=[InputRequired()])
    starts_at = local_datetime_field(_l("Start"), _l("Date and time in the city's time zone."))
    ends_at = local_datetime_field(_l("End"), _l("Must be after the start."))
    points_per_unit = _amount_field(
        _l("Points per unit"), _l("Points for each kWh, km, trip or kg CO₂ that counts."), required=True, default=1.0
    )
    daily_point_cap = LocaleIntegerField(
        _l("Daily point cap"),
        validators=[Optional(), InRange(min=1, max=MAX_POINTS)],
        description=_l("The most points one person can earn in a day. Leave empty for no cap."),
    )
    target = _amount_field(
        _l("City-wide target"), _l("Only for the whole city together: the goal everyone works towards, in units.")
    )
    completion_goal = _amount_field(
        _l("Personal goal"), _l("Optional: whoever reaches it gets the completion bonus, in units.")
    )
    placement_first = _points_field(_l("1st place"))
    placement_second = _points_field(_l("2nd place"))
    placement_third = _points_field(_l("3rd place"))
    completion_bonus = _points_field(_l("Completion bonus"), _l("Points for everyone who reaches the personal goal."))
    max_kwh_per_day = _amount_field(
        _l("Most kWh per day before review"),
        _l("Readings implying more use per day are held for a manager to check."),
        required=True,
        default=DEFAULT_MAX_KWH_PER_DAY,
    )
    max_km_per_day = _amount_field(
        _l("Most km per day before review"),
        _l("Trips adding up to more per day are held for a manager to check."),
        required=True,
        default=DEFAULT_MAX_KM_PER_DAY,
    )
    late_entry_days = LocaleIntegerField(
        _l("Days for late entries"),
        validators=[Optional(), InRange(min=0, max=14)],
        default=7,
        description=_l(
            "After the end, residents may still send what they did during the challenge for this many days; "
            "final ranks and prizes follow when they are over. STADTRADELN allows 7."
        ),
    )
    ranks_teams = BooleanField(
        _l("Rank teams"),
        description=_l("Show a ranking of the residents' teams beside the individual one: by total and per member."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = choices((c.value, label) for c, label in CATEGORY_LABELS.items())
        self.metric.choices = metric_choices()
        self.format.choices = choices((f.value, label) for f, label in FORMAT_LABELS.items())

    @staticmethod
    def initial(challenge) -> dict:
        """A challenge's values in the shape the form shows them."""
        first, second, third = [*(challenge.placement_points or []), 0, 0, 0][:3]
        return {
            "title_en": challenge.title_en,
            "title_de": challenge.title_de,
            "description_en": challenge.description_en,
            "description_de": challenge.description_de,
            "category": challenge.category.value,
            "metric": challenge.metric.value,
            "format": challenge.format.value,
            "starts_at": to_local(challenge.starts_at),
            "ends_at": to_local(challenge.ends_at),
            "points_per_unit": challenge.points_per_unit,
            "daily_point_cap": challenge.daily_point_cap,
            "target": challenge.target,
            "completion_goal": challenge.completion_goal,
            "completion_bonus": challenge.completion_bonus,
            "placement_first": first,
            "placement_second": second,
            "placement_third": third,
            "max_kwh_per_day": challenge.max_kwh_per_day,
            "max_km_per_day": challenge.max_km_per_day,
            "late_entry_days": challenge.late_entry_days,
            "ranks_teams": challenge.ranks_teams,
        }

    def values(self) -> dict:
        """The entered values as the services take them: UTC times, the three places as one list."""
        data = {name: field.data for name, field in self._fields.items() if name != "csrf_token" and name not in PLACES}
        for name in TEXTS:
            data[name] = (data[name] or "").strip()
        data["starts_at"], data["ends_at"] = to_utc(data["starts_at"]), to_utc(data["ends_at"])
        data["placement_points"] = [self[name].data for name in PLACES]
        data["late_entry_days"] = data["late_entry_days"] or 0  # left empty: the challenge closes at its end
        return data

    def lock(self, names) -> None:
        """Show these fields disabled; browsers do not send them, so they keep the values shown."""
        for name in names:
            for field in self._fields_for(name):
                field.render_kw = {**(field.render_kw or {}), "disabled": True}
                field.validators = []
                field.flags.required = False

    def _fields_for(self, name: str):
        if name in ("title", "description"):  # the text as a whole, in neither language: the English field shows it
            return [self[f"{name}_en"], self[f"{name}_de"]]
        return [self[place] for place in PLACES] if name == "placement_points" else [self[name]]

    def show_errors(self, problems: dict) -> None:
        """Put a service's {field: message} on the form's fields."""
        for name, message in problems.items():
            known = name in self or name in ("placement_points", "title", "description")
            target = self._fields_for(name)[0] if known else None
            if target is None:
                self.form_errors.append(message)
            else:
                target.errors = [*target.errors, message]


class SubmissionForm(FlaskForm):
    """A form that sends activity; its one-time key makes a second click store nothing twice."""

    idempotency_key = HiddenField(validators=[Optional(), Length(max=100)], default=lambda: uuid4().hex)

    def key(self) -> str | None:
        return self.idempotency_key.data or None

    @staticmethod
    def recorded(submission) -> str:
        """The submission as stored, in the reader's words and number format; each kind's form says it."""
        raise NotImplementedError


class ReviewForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the resident"),
        validators=[Length(max=2_000)],
        description=_l("Needed when you reject; the resident sees it."),
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Why do you withdraw it?"),
        validators=[DataRequired(_l("Say why you withdraw it.")), Length(max=1_000)],
        description=_l("For example: “I typed the meter reading wrongly.” Your reason is kept with it."),
    )


class UploadForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a file to upload.")),
            FileAllowed(["csv", "txt"], _l("Upload a .csv file.")),
            FileSize(max_size=2 * 1024 * 1024, message=_l("The file is larger than 2 MB.")),
        ],
        description=_l("A table with one row per reading or trip, as your utility or mobility app exports it."),
    )


class JoinForResidentForm(FlaskForm):
    """The service desk signs a resident up for one of the challenges open to them."""

    challenge_id = SelectField(_l("Challenge"), coerce=int, validators=[InputRequired()])
