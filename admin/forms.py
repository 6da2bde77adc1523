from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from accounts.roles import ROLE_LABELS
from app.forms import InRange, LocaleIntegerField, choices


class UserAdminForm(FlaskForm):
    role = SelectField(_l("Role"), choices=choices((role.value, label) for role, label in ROLE_LABELS.items()))
    active = BooleanField(_l("Account active"), description=_l("A deactivated account cannot log in."))


class NeighbourhoodForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    households = LocaleIntegerField(
        _l("Households"),
        validators=[InputRequired(), InRange(min=1, max=10_000_000)],
        description=_l("Number of households living there, used to compare neighbourhoods fairly."),
    )
