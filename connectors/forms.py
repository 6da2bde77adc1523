"""The resident's meter link form, with the services' own patterns and messages, so the page and the API refuse
alike (the services check again, and a taken meter number is theirs to find)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Regexp

from connectors.services import BAD_CUSTOMER_NUMBER, BAD_METER_NUMBER, CUSTOMER_NUMBER, METER_NUMBER


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


class MeterLinkForm(FlaskForm):
    meter_number = StringField(
        _l("Meter number (Zählernummer)"),
        validators=[DataRequired(message=_l("Enter the meter number printed on your electricity meter.")),
                    Regexp(METER_NUMBER, message=BAD_METER_NUMBER)],
        filters=[_stripped],
        description=_l("As printed on the meter, for example 1 ESY 1160 1234 5678; spaces do not matter."),
    )  # fmt: skip
    customer_number = StringField(
        _l("Customer number at the utility"),
        validators=[
            DataRequired(message=_l("Enter the customer number from your utility bill.")),
            Regexp(CUSTOMER_NUMBER, message=BAD_CUSTOMER_NUMBER),
        ],
        filters=[_stripped],
        description=_l("Printed on your electricity bill, for example K-100200."),
    )


class UnlinkForm(FlaskForm):
    """A confirmed POST: the CSRF token only."""
