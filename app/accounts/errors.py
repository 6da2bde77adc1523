"""Domain errors of accounts; each names the field it concerns so forms and the API can show it."""

from flask_babel import lazy_gettext as _l


class AccountError(Exception):
    """A rule of accounts was broken; `field` says which input caused it."""

    field: str | None = None
    message = _l("The request could not be completed.")

    def __init__(self, message=None, field: str | None = None):
        self.message = message or self.message
        self.field = field or self.field
        super().__init__(str(self.message))


class FieldErrors:
    """Mixed into a domain's error for "one or more fields break a rule"; `errors` maps each field to its message."""

    message = _l("Please correct the marked fields.")

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__(field=next(iter(errors)))


class EmailTaken(AccountError):
    field = "email"
    message = _l("An account with this email address already exists.")


class PseudonymTaken(AccountError):
    field = "pseudonym"
    message = _l("This pseudonym is already taken. Please choose another one.")


class UnknownNeighbourhood(AccountError):
    field = "neighbourhood_id"
    message = _l("Please choose a neighbourhood from the list.")


class InvalidCredentials(AccountError):
    field = "password"
    message = _l("The email address or password is not correct.")


class NotFound(AccountError):
    message = _l("Not found.")


class LastAdmin(AccountError):
    field = "role"
    message = _l("The last active admin cannot lose the admin role or be deactivated.")


class InvalidCode(InvalidCredentials):
    field = "code"
    message = _l(
        "This log-in code is not correct. Check it against your printed sheet, or ask at the service desk "
        "for a new one."
    )


class HasPassword(AccountError):
    message = _l("This account logs in with a password, so it gets no log-in code.")


class NotAllowed(AccountError):
    message = _l("Only community managers can do this.")
