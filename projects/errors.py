"""Domain errors of community projects; each names the rule broken and, where it has one, the field."""

from flask_babel import lazy_gettext as _l

from app import errors as base
from app.errors import DomainError, FieldErrors


class ProjectError(DomainError):
    """A rule of community projects refused the request."""

    status = 422
    rule = "invalid"


class InvalidFields(FieldErrors, ProjectError):
    """One or more fields break a rule; `errors` maps each field to its message."""


class ProjectNotFound(base.NotFound, ProjectError):
    message = _l("There is no such community project.")


class NotOpen(ProjectError):
    status = 409
    rule = "not_open"
    message = _l("This project takes no more pledges: it is funded, ended or cancelled.")


class NotYourNeighbourhood(base.Forbidden, ProjectError):
    rule = "other_neighbourhood"
    message = _l("Only residents of this project's neighbourhood can pledge to it.")


class InsufficientPoints(ProjectError):
    status = 409
    rule = "insufficient_points"
    field = "points"
    message = _l("You do not have enough points for this pledge.")


class AlreadyEnded(ProjectError):
    status = 409
    rule = "already_ended"
    message = _l("This project has already ended.")
