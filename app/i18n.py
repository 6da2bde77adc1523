"""Language and time zone: the user's setting, else the visitor's cookie, else the browser."""

from flask import current_app, has_request_context, request
from flask_login import current_user

LANGUAGE_COOKIE = "language"


def select_locale() -> str:
    """Pick the language for this request."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and scheduled jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Every date is shown in the city's time zone."""
    return current_app.config["TIMEZONE"]
