"""Domain errors of the resident's rights; account errors, so each names the field the form shows it on."""

from flask_babel import lazy_gettext as _l

from accounts.errors import AccountError


class WrongPassword(AccountError):
    field = "password"
    message = _l("This password is not correct.")


class WrongCode(AccountError):
    field = "code"
    message = _l("This log-in code is not correct. Use the code on your sheet from the service desk.")


class NotResidentAccount(AccountError):
    message = _l("Only residents can delete their account here. Please ask an admin.")


class SignInAgain(AccountError):
    message = _l("Please sign in again with your identity provider first, then delete your account within 15 minutes.")
