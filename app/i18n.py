"""Language and time zone: the user's setting, else the visitor's cookie, else the browser.

The language ("en" or "de") picks the messages; the locale Babel formats with follows from it: German
as `de`, English as `ENGLISH_LOCALE` (`en_GB` unless the city sets another), so an English page shows
"7 Mar 2027, 15:00" while its messages stay the English ones.
"""

from flask import current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_login import current_user

LANGUAGE_COOKIE = "language"


def locale_for(language: str | None) -> str:
    """The locale that formats dates and numbers for `language` (the default language when unknown)."""
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["BABEL_DEFAULT_LOCALE"]
    return current_app.config["ENGLISH_LOCALE"] if language == "en" else language


def select_locale() -> str:
    """The locale for this request: its language's, formatted as the city configures English."""
    return locale_for(select_language())


def select_language() -> str:
    """Pick the language for this request."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and scheduled jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return visitor_language()


def visitor_language() -> str:
    """The language the request asks for without looking at who is logged in: the cookie, else the browser's."""
    languages = current_app.config["LANGUAGES"]
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Every date is shown in the city's time zone."""
    return current_app.config["TIMEZONE"]


def install_template_gettext(app) -> None:
    """Templates translate through `_translations`, instead of Flask-Babel's callables that find the
    context, the locale and its catalogue again for every string (a third of a leaderboard page's rendering
    went to the hundred strings of its layout)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: _translations().ugettext(string),
        ngettext=lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: _translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: _translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )


def _translations():
    """Flask-Babel's translations for the current locale, remembered for as long as that locale object is
    current (`force_locale` brings another)."""
    locale = get_locale()
    remembered = g.get("_template_translations")
    if remembered is None or remembered[0] is not locale:
        remembered = g._template_translations = (locale, get_translations())
    return remembered[1]
