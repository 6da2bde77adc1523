"""Domain errors of challenges; each names the rule broken and, where it has one, the field."""

from flask_babel import lazy_gettext as _l

from app import errors as base
from app.errors import DomainError, FieldErrors

NEEDED_TO_PUBLISH = _l("Fill this in before publishing.")


class ChallengeError(DomainError):
    """A rule of challenges was broken."""

    status = 422


class NotFound(base.NotFound, ChallengeError):
    message = _l("No such challenge.")


class InvalidChallenge(FieldErrors, ChallengeError):
    """One or more fields break a rule; `errors` maps each field to its message."""


class StateConflict(base.Conflict, ChallengeError):
    """The challenge's status does not allow this; the API names `status` as the field."""

    rule = "wrong_status"

    def field_errors(self) -> dict[str, list[str]]:
        return {self.field or "status": [str(self.message)]}


class NotEditable(StateConflict):
    message = _l("This challenge can no longer be changed.")


class ScoringLocked(StateConflict):
    message = _l("The challenge is running: only the description and the end date may change now.")


class IncompleteChallenge(ChallengeError):
    """Publishing needs every field; `missing` lists the ones not filled in."""

    message = _l("Fill in every field before publishing.")

    rule = "incomplete"

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__()

    def field_errors(self) -> dict[str, list[str]]:
        return {field: [str(NEEDED_TO_PUBLISH)] for field in self.missing}


class WrongStatus(StateConflict):
    message = _l("That is not possible in the challenge's current state.")


class NotOpen(base.Conflict, ChallengeError):
    rule = "not_open"
    message = _l("This challenge is not open for joining.")


class NotEnrolled(base.Conflict, ChallengeError):
    rule = "not_enrolled"
    message = _l("Join the challenge first.")


class SubmissionRefused(ChallengeError):
    """A submission broke a plausibility rule; `rule` is its short name."""

    def __init__(self, message, field: str | None = None, rule: str = "invalid"):
        super().__init__(message, field, rule)


class NoSuchSubmission(base.NotFound, ChallengeError):
    message = _l("No such submission in this challenge.")


class NotWithdrawable(base.Conflict, ChallengeError):
    rule = "not_withdrawable"
    message = _l(
        "Only a submission waiting for review, or one sent today, can be withdrawn, and only while the challenge "
        "takes submissions."
    )


class NoSuchResident(base.NotFound, ChallengeError):
    message = _l("No such resident.")


class ResidentDeactivated(base.Conflict, ChallengeError):
    rule = "deactivated"
    message = _l("This account is deactivated, so nothing can be done for it at the service desk.")
