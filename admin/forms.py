from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
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


class StreetTableForm(FlaskForm):
    file = FileField(
        _l("CSV file of streets"),
        validators=[
            FileRequired(_l("Choose a file to upload.")),
            FileAllowed(["csv", "txt"], _l("Upload a .csv file.")),
            FileSize(max_size=5 * 1024 * 1024, message=_l("The file is larger than 5 MB.")),
        ],
        description=_l(
            "One row per street and postcode, with the columns street, postcode and neighbourhood (or Straße, PLZ "
            "and Stadtteil), separated by semicolons or commas. It replaces the whole table."
        ),
    )
