from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from accounts.roles import ROLE_LABELS
from app.forms import InRange, LocaleIntegerField, choices
from clients.scopes import READINGS_WRITE, SCOPE_LABELS, STATS_READ, VOUCHERS_VALIDATE


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


class ClientForm(FlaskForm):
    """Register an organisation client: who it is, which scopes it holds, and (for tills) whose vouchers."""

    name = StringField(_l("Name of the system"), validators=[DataRequired(), Length(max=120)],
                       description=_l("For example: Till at the Stadtbad pool."))  # fmt: skip
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=160)])
    readings_write = BooleanField(SCOPE_LABELS[READINGS_WRITE], description=READINGS_WRITE)
    vouchers_validate = BooleanField(SCOPE_LABELS[VOUCHERS_VALIDATE], description=VOUCHERS_VALIDATE)
    stats_read = BooleanField(SCOPE_LABELS[STATS_READ], description=STATS_READ)
    partner_id = SelectField(
        _l("Reward partner"), description=_l("Whose vouchers it may validate; needed for vouchers:validate.")
    )

    SCOPE_FIELDS = {"readings_write": READINGS_WRITE, "vouchers_validate": VOUCHERS_VALIDATE,
                    "stats_read": STATS_READ}  # fmt: skip

    def set_partners(self, partners) -> None:
        self.partner_id.choices = choices(
            [("", _l("None")), *((str(partner.id), partner.name) for partner in partners)]
        )

    @property
    def chosen_scopes(self) -> list[str]:
        return [scope for name, scope in self.SCOPE_FIELDS.items() if self[name].data]

    @property
    def chosen_partner(self) -> int | None:
        return int(self.partner_id.data) if self.partner_id.data else None


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
