"""Domain errors of challenges; each names the rule broken and, where it has one, the field."""

from flask_babel import lazy_gettext as _l

from app.accounts.errors import AccountError, FieldErrors


class ChallengeError(AccountError):
    """A rule of challenges was broken."""

    status = 422


class NotFound(ChallengeError):
    status = 404
    message = _l("No such challenge.")


class InvalidChallenge(FieldErrors, ChallengeError):
    """One or more fields break a rule; `errors` maps each field to its message."""


class NotEditable(ChallengeError):
    status = 409
    message = _l("This challenge can no longer be changed.")


class ScoringLocked(ChallengeError):
    status = 409
    message = _l("The challenge is running: only the description and the end date may change now.")


class IncompleteChallenge(ChallengeError):
    """Publishing needs every field; `missing` lists the ones not filled in."""

    message = _l("Fill in every field before publishing.")

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__()


class WrongStatus(ChallengeError):
    status = 409
    message = _l("That is not possible in the challenge's current state.")


class NotOpen(ChallengeError):
    status = 409
    message = _l("This challenge is not open for joining.")


class NotEnrolled(ChallengeError):
    status = 409
    message = _l("Join the challenge first.")


class SubmissionRefused(ChallengeError):
    """A submission broke a plausibility rule; `rule` is its short name."""

    def __init__(self, message, field: str | None = None, rule: str = "invalid"):
        self.rule = rule
        super().__init__(message, field)


class NoSuchResident(ChallengeError):
    status = 404
    message = _l("No such resident.")


class ResidentDeactivated(ChallengeError):
    status = 409
    message = _l("This account is deactivated, so nothing can be done for it at the service desk.")
