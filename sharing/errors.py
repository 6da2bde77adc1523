"""Domain errors of data sharing."""

from flask_babel import lazy_gettext as _l

from app import errors as base
from app.errors import DomainError, FieldErrors


class SharingError(DomainError):
    status = 422
    rule = "invalid"


class InvalidConsent(FieldErrors, SharingError):
    """One or more fields break a rule; `errors` maps each field to its message."""


class NotFound(base.NotFound, SharingError):
    message = _l("No such consent.")


class NotActive(SharingError):
    status = 409
    rule = "not_active"
    message = _l("This consent has already ended.")
