"""What every page's layout gets from accounts: display classes, the language and display controls, the user's role."""

from flask import request
from flask_babel import get_locale
from flask_login import current_user

from accounts.forms import DisplayForm, LanguageForm
from accounts.models import Role
from accounts.preferences import COOKIE_NAME, DisplayPrefs
from accounts.roles import ROLE_LABELS


def _display_prefs() -> DisplayPrefs:
    if current_user.is_authenticated:
        return DisplayPrefs.from_user(current_user)
    return DisplayPrefs.from_cookie(request.cookies.get(COOKIE_NAME))


def _here() -> str:
    return request.full_path.rstrip("?") if request.method == "GET" else request.path


def init_app(app) -> None:
    @app.context_processor
    def layout_context():
        prefs = _display_prefs()
        locale = get_locale().language if get_locale() else "en"  # "en" also when formatting as en_GB
        return {
            "display_prefs": prefs,
            "current_locale": locale,
            "Role": Role,
            "role_label": lambda role: ROLE_LABELS[Role(role)],
            "header_display_form": lambda: DisplayForm(formdata=None, data={**prefs.as_dict(), "next": _here()}),
            "header_language_form": lambda: LanguageForm(formdata=None, data={"language": locale, "next": _here()}),
        }
