"""HTML form of a resident's points history: its filters by kind and days."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from app.clock import day_bounds
from app.forms import choices, date_field
from rewards.display import KIND_LABELS


class PointsFilterForm(FlaskForm):
    """The history's filters, sent with GET so a filtered view can be bookmarked."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), validators=[Optional()])
    since = date_field(_l("From"), _l("First day to show."))
    until = date_field(_l("To"), _l("Last day to show."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices([("", _l("All kinds")), *((k.value, label) for k, label in KIND_LABELS.items())])

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The last day must not be before the first day."))

    def filters(self) -> dict:
        """The filters as rewards.ledger.history_query takes them: days in the city, `until` included."""
        return {
            "kinds": [self.kind.data] if self.kind.data else None,
            "since": day_bounds(self.since.data)[0] if self.since.data else None,
            "until": day_bounds(self.until.data)[1] if self.until.data else None,
        }

    def args(self) -> dict:
        """The filters as query arguments, for links to other pages and the CSV file."""
        values = {"kind": self.kind.data, "since": self.since.data, "until": self.until.data}
        return {name: str(value) for name, value in values.items() if value}
