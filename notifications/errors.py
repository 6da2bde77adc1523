"""Domain errors of notifications."""

from flask_babel import lazy_gettext as _l

from app import errors as base
from app.errors import DomainError, FieldErrors


class NotificationError(DomainError):
    status = 422
    rule = "invalid"


class NotFound(base.NotFound, NotificationError):
    message = _l("No such notification.")


class InvalidPreferences(FieldErrors, NotificationError):
    """A channel that cannot be chosen; `errors` maps each kind to its message."""

    message = _l("Please correct the marked choices.")


NO_EMAIL = _l("Email is not possible: your account has no email address, or this site does not send email.")
ACCOUNT_FIXED = _l("News about your account always arrives in the app.")
