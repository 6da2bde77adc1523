"""HTML forms of accounts; every one carries a CSRF token through Flask-WTF."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional, Regexp

from accounts.preferences import LETTER_SPACINGS, LINE_SPACINGS, TEXT_SCALES
from app.forms import InRange, LocaleIntegerField, choices

LANGUAGE_CHOICES = choices([("en", "English"), ("de", "Deutsch")])
PSEUDONYM_PATTERN = r"^[\w][\w .\-]*[\w.]$"
PASSWORD_MIN = 10
NO_NEIGHBOURHOOD = "–"  # the empty choice, shown as in the admin's lists


PSEUDONYM_HELP = _l("Shown in public instead of your name, for example on leaderboards.")


def _pseudonym_field(description=PSEUDONYM_HELP):
    return StringField(
        _l("Pseudonym"),
        validators=[
            DataRequired(),
            Length(min=3, max=40),
            Regexp(PSEUDONYM_PATTERN, message=_l("Use letters, digits, spaces, dots, dashes or underscores.")),
        ],
        description=description,
    )


def _neighbourhood_field():
    return SelectField(_l("Neighbourhood"), coerce=int, validators=[InputRequired()])


def _int_or_none(value) -> int | None:
    """A select's value as an id; its empty choice stands for none."""
    return None if value in (None, "") else int(value)


def _household_field():
    return LocaleIntegerField(
        _l("People in your household"),
        validators=[InputRequired(), InRange(min=1, max=12)],
        description=_l("Between 1 and 12. Scores are compared per household, so every size has the same chance."),
    )


def _new_password_fields():
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=128)],
        description=_l(
            "At least %(count)d characters, not a common password, and not containing your email address or "
            "pseudonym. A few unrelated words make a good one.",
            count=PASSWORD_MIN,
        ),
    )
    confirm = PasswordField(
        _l("Repeat password"), validators=[DataRequired(), EqualTo("password", message=_l("Passwords must match."))]
    )
    return password, confirm


CHOOSE_NEIGHBOURHOOD = _l("Choose your neighbourhood")


def _chosen_neighbourhood_field(description=None):
    # No neighbourhood is preselected at registration: the empty first choice (CHOOSE_NEIGHBOURHOOD) must be
    # replaced by the resident's own, so nobody lands silently in the first one of the list.
    return SelectField(_l("Neighbourhood"), coerce=_int_or_none, validators=[InputRequired()], description=description)


class NeighbourhoodLookupForm(FlaskForm):
    """Sent by GET beside the registration and profile forms: no JavaScript, and nothing typed there is lost."""

    class Meta:
        csrf = False  # it changes nothing, and its address can be bookmarked or shared

    street = StringField(_l("Street"), description=_l("With or without the house number, for example Hauptstraße 12."))
    postcode = StringField(_l("Postcode"), description=_l("Five digits, for example 79098."))


class RegisterForm(FlaskForm):
    email = StringField(_l("Email address"), validators=[DataRequired(), Email(), Length(max=254)])
    password, confirm = _new_password_fields()
    pseudonym = _pseudonym_field()
    neighbourhood_id = _chosen_neighbourhood_field(_l("Where you live. Your efforts count for this neighbourhood."))
    household_size = _household_field()
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class LoginForm(FlaskForm):
    email = StringField(_l("Email address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    next = HiddenField()


class LoginCodeForm(FlaskForm):
    code = StringField(
        _l("Your log-in code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("The code on your sheet, for example K7QM-9XDA-2HPF-R4TW. Small letters, spaces and dashes "
                       "do not matter."),
    )  # fmt: skip
    next = HiddenField()


class AssistedRegisterForm(FlaskForm):
    """A resident registered by a manager at a service desk: no password, and the email is optional."""

    pseudonym = _pseudonym_field(_l("Shown in public instead of the resident's name. Let the resident choose it."))
    neighbourhood_id = _chosen_neighbourhood_field()
    household_size = LocaleIntegerField(
        _l("People in the household"),
        validators=[InputRequired(), InRange(min=1, max=12)],
        description=_l("Between 1 and 12."),
    )
    language = SelectField(
        _l("Language"), choices=LANGUAGE_CHOICES, description=_l("The log-in sheet is printed in this language.")
    )
    email = StringField(
        _l("Email address (optional)"),
        filters=[lambda value: value.strip() if value else value],
        validators=[Optional(), Email(), Length(max=254)],
        description=_l("Leave empty if the resident has none; they log in with the printed code."),
    )


class ProfileForm(FlaskForm):
    pseudonym = _pseudonym_field()
    neighbourhood_id = _neighbourhood_field()
    household_size = _household_field()
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    leaderboard_visible = BooleanField(
        _l("Show my pseudonym on public leaderboards"),
        description=_l("If you hide it, your effort still counts for your neighbourhood."),
    )


class NonResidentProfileForm(ProfileForm):
    """Staff, managers and admins need not live in one of the programme's neighbourhoods."""

    neighbourhood_id = SelectField(_l("Neighbourhood"), coerce=_int_or_none, validators=[Optional()])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    password, confirm = _new_password_fields()


class ForgotPasswordForm(FlaskForm):
    email = StringField(
        _l("Email address"),
        filters=[lambda value: value.strip() if value else value],
        validators=[DataRequired(), Email(), Length(max=254)],
        description=_l("The address you registered with."),
    )


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()


class DisplayForm(FlaskForm):
    text_scale = SelectField(
        _l("Text size"), coerce=int, choices=choices((scale, f"{scale} %") for scale in TEXT_SCALES)
    )
    line_spacing = SelectField(_l("Line spacing"), choices=choices(LINE_SPACINGS.items()))
    letter_spacing = SelectField(_l("Letter spacing"), choices=choices(LETTER_SPACINGS.items()))
    high_contrast = BooleanField(_l("High contrast"))
    next = HiddenField()


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    next = HiddenField()


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("What the token is for, for example “energy import script”."),
    )


class ConfirmForm(FlaskForm):
    """An empty form: a button that posts with a CSRF token."""


class FirstSignInForm(FlaskForm):
    """What a first sign-in with a provider still needs: what the provider did not give."""

    pseudonym = _pseudonym_field()
    neighbourhood_id = _chosen_neighbourhood_field(_l("Where you live. Your efforts count for this neighbourhood."))
    household_size = _household_field()
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class LinkAccountForm(FlaskForm):
    """Prove once that the existing account with the provider's email address is yours, to link the two."""

    password = PasswordField(_l("Password of your Civiquest account"), validators=[DataRequired(), Length(max=128)])
