"""The resident's track upload and the planners' filters of the route grid."""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import BooleanField, DateField, SelectField
from wtforms.validators import InputRequired, Optional, ValidationError

from app.clock import week_start
from app.forms import choices, plausible_year
from challenges.display import MODE_LABELS
from tracks import gpx
from tracks.grid import ALL, Query
from tracks.services import GRID_MODES

BAND_LABELS = {
    "night": _l("Night (0–6 h)"),
    "morning": _l("Morning peak (6–10 h)"),
    "midday": _l("Midday (10–15 h)"),
    "afternoon": _l("Afternoon peak (15–19 h)"),
    "evening": _l("Evening (19–24 h)"),
}
MAX_WEEKS = 53


class TrackUploadForm(FlaskForm):
    file = FileField(
        _l("GPX or FIT file"),
        validators=[
            FileRequired(_l("Choose a file to upload.")),
            FileSize(max_size=gpx.MAX_BYTES, message=_l("The file is larger than 5 MB.")),
        ],
        description=_l(
            "Exported from your bike computer, phone or sports app: GPX (one file may hold several tracks) or FIT."
        ),
    )
    mode = SelectField(_l("How you travelled"), validators=[InputRequired()])
    replaced_car = BooleanField(
        _l("These trips replaced car trips"), description=_l("Tick it if you would otherwise have driven.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode.choices = choices((m.value, label) for m, label in MODE_LABELS.items())


def _weeks_problem(form, field) -> None:
    first, last = form.start.data, field.data
    if first and last and last < first:
        raise ValidationError(_l("The end must not be before the start."))
    if first and last and (last - first).days > MAX_WEEKS * 7:
        raise ValidationError(_l("Choose at most a year."))


class GridFilterForm(FlaskForm):
    """Sent with GET, so a view of the grid can be bookmarked and downloaded as it is."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional(), plausible_year], description=_l("Its whole week counts."))
    end = DateField(_l("To"), validators=[Optional(), plausible_year, _weeks_problem],
                    description=_l("Its whole week counts."))  # fmt: skip
    mode = SelectField(_l("Mode"), default=ALL)
    hour_band = SelectField(_l("Time of day"), default=ALL)

    def __init__(self, today: date, *args, **kwargs):
        super().__init__(*args, **kwargs)
        every = (ALL, _l("All, added up"))
        self.mode.choices = choices([every, *((m.value, MODE_LABELS[m]) for m in GRID_MODES)])
        self.hour_band.choices = choices([every, *BAND_LABELS.items()])
        self.end.data = self.end.data or today
        self.start.data = self.start.data or week_start(today) - timedelta(weeks=11)

    def query(self) -> Query:
        return Query(week_start(self.start.data), week_start(self.end.data), self.mode.data, self.hour_band.data)

    def args(self) -> dict:
        return {"start": self.start.data.isoformat(), "end": self.end.data.isoformat(), "mode": self.mode.data,
                "hour_band": self.hour_band.data}  # fmt: skip
