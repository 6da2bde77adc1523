"""Domain errors of nudges; each names the rule broken and, where it has one, the field."""

from flask_babel import lazy_gettext as _l

from app.accounts.errors import AccountError


class NudgeError(AccountError):
    """A rule of nudges was broken; `rule` is its short name for programs."""

    status = 422
    rule = "invalid"


class InvalidFields(NudgeError):
    """One or more fields break a rule; `errors` maps each field to its message."""

    message = _l("Please correct the marked fields.")

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__(field=next(iter(errors)))


class NotFound(NudgeError):
    status = 404
    rule = "not_found"
    message = _l("No such funding programme.")
