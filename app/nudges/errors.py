"""Domain errors of nudges; each names the rule broken and, where it has one, the field."""

from flask_babel import lazy_gettext as _l

from app.accounts.errors import AccountError, FieldErrors


class NudgeError(AccountError):
    """A rule of nudges was broken; `rule` is its short name for programs."""

    status = 422
    rule = "invalid"


class InvalidFields(FieldErrors, NudgeError):
    """One or more fields break a rule; `errors` maps each field to its message."""


class NotFound(NudgeError):
    status = 404
    rule = "not_found"
    message = _l("No such funding programme.")
