"""Domain errors of organisation clients; each names the form field it concerns."""

from flask_babel import lazy_gettext as _l

from app.errors import DomainError


class ClientError(DomainError):
    """A rule of organisation clients was broken."""


class NoScopes(ClientError):
    rule = "scopes_required"
    field = "scopes"
    message = _l("Choose at least one scope.")


class UnknownScope(ClientError):
    rule = "unknown_scope"
    field = "scopes"
    message = _l("This scope does not exist.")


class PartnerRequired(ClientError):
    rule = "partner_required"
    field = "partner_id"
    message = _l("A client that validates vouchers must belong to a reward partner.")


class ClientRevoked(ClientError):
    status = 409
    rule = "client_revoked"
    message = _l("This client is revoked; register a new one instead.")
