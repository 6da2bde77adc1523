"""The form of the resident's rights: confirming that the account is to be deleted."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class DeleteAccountForm(FlaskForm):
    """Deleting needs the resident's own credential and an explicit tick; it cannot be undone."""

    password = PasswordField(_l("Your password"), validators=[Length(max=128)])
    code = StringField(
        _l("Your log-in code"),
        validators=[Length(max=40)],
        description=_l("The code on your sheet from the service desk, for example K7QM-9XDA-2HPF-R4TW."),
    )
    understood = BooleanField(
        _l("I understand that deleting my account is final and cannot be undone."),
        validators=[DataRequired(message=_l("Please confirm that you understand this is final."))],
    )

    def require_credential(self, has_password: bool, has_code: bool = True) -> None:
        """Residents with a password confirm with it; those registered at a service desk with their log-in code;
        those made at an identity provider by a recent sign-in there (no field)."""
        if has_password:
            self.password.validators = [DataRequired(), Length(max=128)]
        elif has_code:
            self.code.validators = [DataRequired(), Length(max=40)]
