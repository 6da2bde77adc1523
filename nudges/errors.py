"""Domain errors of nudges; each names the rule broken and, where it has one, the field."""

from flask_babel import lazy_gettext as _l

from app import errors as base
from app.errors import DomainError, FieldErrors


class NudgeError(DomainError):
    """A rule of nudges was broken; `rule` is its short name for programs."""

    status = 422
    rule = "invalid"


class InvalidFields(FieldErrors, NudgeError):
    """One or more fields break a rule; `errors` maps each field to its message."""


class NotFound(base.NotFound, NudgeError):
    message = _l("No such funding programme.")
