"""Domain errors of accounts; each names the field it concerns so forms and the API can show it."""

from flask_babel import lazy_gettext as _l

from app import errors as base
from app.errors import DomainError


class AccountError(DomainError):
    """A rule of accounts was broken; `field` says which input caused it."""


class EmailTaken(AccountError):
    status = 409
    rule = "email_taken"
    field = "email"
    message = _l("An account with this email address already exists.")


class CommonPassword(AccountError):
    rule = "password_common"
    field = "password"
    message = _l("This password is too common or too easy to guess. A few unrelated words make a good one.")


class PersonalPassword(AccountError):
    rule = "password_personal"
    field = "password"
    message = _l("The password must not contain your email address or your pseudonym.")


class PseudonymTaken(AccountError):
    status = 409
    rule = "pseudonym_taken"
    field = "pseudonym"
    message = _l("This pseudonym is already taken. Please choose another one.")


class UnknownNeighbourhood(AccountError):
    field = "neighbourhood_id"
    message = _l("Please choose a neighbourhood from the list.")


class InvalidCredentials(AccountError):
    field = "password"
    message = _l("The email address or password is not correct.")


class NotFound(base.NotFound, AccountError):
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


class NotAllowed(base.Forbidden, AccountError):
    message = _l("Only community managers can do this.")


class InvalidResetToken(AccountError):
    status = 400
    rule = "reset_link_invalid"
    field = "password"
    message = _l("This password reset link has expired or has been used already. Please ask for a new one.")


class IdentityLinked(AccountError):
    status = 409
    rule = "identity_linked"
    message = _l("This sign-in is already linked to an account.")


class UnknownIdentity(base.NotFound, AccountError):
    message = _l("Not found.")


class LastWayIn(AccountError):
    status = 409
    rule = "last_way_in"
    message = _l("This is the only way you can log in to your account, so it cannot be removed.")
