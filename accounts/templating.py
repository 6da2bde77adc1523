"""What every page's layout gets from accounts: display classes, the language and display controls, the user's role."""

from flask import render_template, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from accounts.forms import LANGUAGE_CHOICES, DisplayForm
from accounts.models import Role
from accounts.preferences import COOKIE_NAME, DisplayPrefs
from accounts.roles import ROLE_LABELS


def _display_prefs() -> DisplayPrefs:
    if current_user.is_authenticated:
        return DisplayPrefs.from_user(current_user)
    return DisplayPrefs.from_cookie(request.cookies.get(COOKIE_NAME))


def _here() -> str:
    return request.full_path.rstrip("?") if request.method == "GET" else request.path


_HEADER_FIELDS_KEPT = 1024  # locales × display settings: a few hundred at most
_header_fields: dict[tuple[str, str], Markup] = {}


def _header_display_fields(prefs: DisplayPrefs, locale: str) -> Markup:
    """The header's display settings fields, rendered once per locale and settings and then reused.

    Building the form and its three select lists was about a quarter of rendering every page's layout; what
    they show depends on nothing else (the token and the way back are the page's own hidden fields).
    """
    key = (locale, prefs.to_cookie())
    fields = _header_fields.get(key)
    if fields is None:
        form = DisplayForm(formdata=None, data=prefs.as_dict(), meta={"csrf": False})
        fields = Markup(render_template("accounts/_display_fields.html", form=form, prefix="hdr-"))
        if len(_header_fields) < _HEADER_FIELDS_KEPT:
            _header_fields[key] = fields
    return fields


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
            "header_display_fields": lambda: _header_display_fields(prefs, locale),
            "header_next": _here(),
            "language_choices": LANGUAGE_CHOICES,
        }
