"""HTML forms of notifications: the channel per kind."""

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import InputRequired

from app.forms import choices
from notifications import display
from notifications.models import CHOOSABLE_KINDS, Channel


class PreferencesForm(FlaskForm):
    """One radio group per kind: in-app, email or off; the groups are added below, one per kind."""

    def kind_fields(self):
        return [self[kind.value] for kind in CHOOSABLE_KINDS]

    def choices(self) -> dict:
        return {kind.value: self[kind.value].data for kind in CHOOSABLE_KINDS}


for _kind in CHOOSABLE_KINDS:
    setattr(PreferencesForm, _kind.value, RadioField(
        display.KIND_LABELS[_kind],
        choices=choices((channel.value, display.CHANNEL_LABELS[channel]) for channel in Channel),
        validators=[InputRequired()],
        description=display.KIND_EXPLANATIONS[_kind],
    ))  # fmt: skip
