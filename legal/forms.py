"""HTML forms of the legal pages: the admin's texts, and the accessibility feedback form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

MAX_BODY = 50_000
BODY_HELP = _l(
    "Plain text. A blank line starts a new paragraph; a line starting with “## ” is a heading, lines starting "
    "with “- ” make a list. Leave a language empty to show the default text in it."
)


def _strip(value):
    return value.strip() if value else value


class LegalPageForm(FlaskForm):
    body_en = TextAreaField(_l("Text in English"), validators=[Length(max=MAX_BODY)], description=BODY_HELP)
    body_de = TextAreaField(_l("Text in German"), validators=[Length(max=MAX_BODY)], description=BODY_HELP)


class FeedbackForm(FlaskForm):
    message = TextAreaField(
        _l("Your message"),
        filters=[_strip],
        validators=[DataRequired(), Length(max=5000)],
        description=_l("What did not work for you, and on which page? Which aid were you using?"),
    )
    page = StringField(_l("Page concerned (optional)"), filters=[_strip], validators=[Optional(), Length(max=300)])
    reply_to = StringField(
        _l("Your email address for our answer (optional)"),
        filters=[_strip],
        validators=[Optional(), Email(), Length(max=254)],
        description=_l("Leave it empty if you want no answer. We use it only to answer you."),
    )
