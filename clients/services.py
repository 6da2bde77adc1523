"""Registering, rotating and revoking organisation clients, and the token store Authlib's server and resource
protector use. Secrets are shown once and stored as SHA-256; revoking or rotating ends every live token."""

import secrets

from sqlalchemy import select, update

from app.columns import utcnow
from app.extensions import db
from clients import errors
from clients.models import ClientToken, OrganisationClient, digest
from clients.scopes import SCOPE_LABELS, VOUCHERS_VALIDATE

CLIENT_ID_PREFIX = "cqc_"
# Access tokens carry their own prefix: a bearer token starting with it is a client's, never a personal one.
ACCESS_TOKEN_PREFIX = "cqo_"


def _checked_scopes(scopes: list[str], partner_id: int | None) -> str:
    if not scopes:
        raise errors.NoScopes()
    if any(name not in SCOPE_LABELS for name in scopes):
        raise errors.UnknownScope()
    if VOUCHERS_VALIDATE in scopes and partner_id is None:
        raise errors.PartnerRequired()
    return " ".join(sorted(set(scopes)))


def register_client(name: str, organisation: str, scopes: list[str], partner_id: int | None = None):
    """Register a partner system; returns the client and its secret, which is shown this once."""
    secret = secrets.token_urlsafe(32)
    client = OrganisationClient(
        client_id=CLIENT_ID_PREFIX + secrets.token_urlsafe(12), name=name.strip(), organisation=organisation.strip(),
        scope=_checked_scopes(scopes, partner_id), partner_id=partner_id, secret_hash=digest(secret),
    )  # fmt: skip
    db.session.add(client)
    db.session.flush()
    return client, secret


def rotate_secret(client: OrganisationClient) -> str:
    """A new secret for a client (the old one stops working at once, and so do its tokens); shown this once."""
    if client.revoked_at is not None:
        raise errors.ClientRevoked()
    secret = secrets.token_urlsafe(32)
    client.secret_hash = digest(secret)
    client.secret_rotated_at = utcnow()
    _end_tokens(client)
    return secret


def revoke_client(client: OrganisationClient) -> None:
    """Revoke a client for good: its secret and every token it holds stop working. Revoking twice changes nothing."""
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        _end_tokens(client)


def _end_tokens(client: OrganisationClient) -> None:
    db.session.execute(
        update(ClientToken)
        .where(ClientToken.client_pk == client.id, ClientToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def list_clients() -> list[OrganisationClient]:
    """Every client, live ones first, then by name."""
    query = select(OrganisationClient).order_by(OrganisationClient.revoked_at.is_not(None), OrganisationClient.name)
    return list(db.session.scalars(query))


def get_client(pk: int) -> OrganisationClient | None:
    return db.session.get(OrganisationClient, pk)


class _NoClient:
    """Stands in for an unknown client id, so an unknown id and a wrong secret fail alike (Authlib's
    "does not exist" would tell a guesser which half was wrong)."""

    def check_client_secret(self, client_secret: str) -> bool:
        digest(client_secret)  # the same work as for a real client
        return False

    def check_endpoint_auth_method(self, method, endpoint) -> bool:
        return False


def query_client(client_id: str):
    """The client of a client id, for Authlib's server; a stand-in that never authenticates when none has it."""
    found = db.session.scalar(select(OrganisationClient).where(OrganisationClient.client_id == client_id))
    return found or _NoClient()


def save_token(token: dict, request) -> None:
    """Store an access token Authlib issued to `request.client`: only its SHA-256."""
    client = request.client
    client.last_used_at = utcnow()
    db.session.add(ClientToken(
        client_pk=client.id, token_hash=digest(token["access_token"]), scope=token.get("scope", ""),
        expires_in=token["expires_in"],
    ))  # fmt: skip
    db.session.flush()


def issue_token(client: OrganisationClient, lifetime: int) -> str:
    """An access token for a client without the token endpoint (a command line for the demo); only its hash is kept."""
    if client.revoked_at is not None:
        raise errors.ClientRevoked()
    secret = new_access_token()
    db.session.add(ClientToken(client_pk=client.id, token_hash=digest(secret), scope=client.scope, expires_in=lifetime))
    db.session.flush()
    return secret


def new_access_token(*_args, **_kwargs) -> str:
    """The secret of a new access token (Authlib's token generator)."""
    return ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_for(secret: str) -> ClientToken | None:
    """The stored token of an access token's secret, live or not (Authlib's validator decides), or None."""
    return db.session.scalar(select(ClientToken).where(ClientToken.token_hash == digest(secret)))
