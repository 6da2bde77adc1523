"""The city's OpenID Connect providers as Authlib clients, one per entry of OIDC_PROVIDERS: discovery from the
issuer, the authorization code flow with PKCE (S256), and the ID token checked by Authlib (signature against the
provider's JWKS, issuer, audience, expiry and nonce)."""

from urllib.parse import urlencode

from authlib.integrations.flask_client import OAuth
from flask import current_app
from joserfc import jwt
from joserfc.jwk import KeySet

from accounts.models import Role

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"

REGISTRY = "civiquest.oidc"


def init_app(app) -> None:
    registry = OAuth(app)
    for name, provider in app.config["OIDC_PROVIDERS"].items():
        provider["role_map"] = {
            group.strip(): Role(role.strip()) for group, role in provider.get("role_map", {}).items()
        }
        registry.register(
            name,
            client_id=provider["client_id"],
            client_secret=provider["client_secret"],
            server_metadata_url=f"{provider['issuer']}/.well-known/openid-configuration",
            client_kwargs={"scope": provider["scope"], "code_challenge_method": "S256", "timeout": 10},
        )
    app.extensions[REGISTRY] = registry


def client_for(name: str):
    """The Authlib client of a configured provider, or None for a name that is not configured."""
    if name not in current_app.config["OIDC_PROVIDERS"]:
        return None
    return current_app.extensions[REGISTRY].create_client(name)


def claims_options(name: str) -> dict:
    """What the ID token must say besides its signature, expiry and nonce: issued by the configured issuer, for
    Civiquest's client id (Authlib alone would accept another audience when `azp` names us)."""
    provider = settings_of(name)
    return {"iss": {"essential": True, "values": [provider["issuer"]]},
            "aud": {"essential": True, "values": [provider["client_id"]]}}  # fmt: skip


def settings_of(name: str) -> dict:
    return current_app.config["OIDC_PROVIDERS"][name]


def buttons(language: str) -> list[tuple[str, str]]:
    """(name, label in `language`) of every configured provider, for the log-in page; empty without configuration."""
    return [(name, provider["label"].get(language) or provider["label"]["en"])
            for name, provider in current_app.config["OIDC_PROVIDERS"].items()]  # fmt: skip


def logout_claims(name: str, logout_token: str) -> dict:
    """The claims of a back-channel logout token once checked (OpenID Connect Back-Channel Logout 1.0 §2.6):
    signed by a key of the provider's JWKS, from its issuer, for Civiquest, recent, with the logout event, a `sub`
    or `sid`, and no nonce. Raises joserfc's errors or ValueError otherwise."""
    provider = settings_of(name)
    keys = KeySet.import_key_set(client_for(name).fetch_jwk_set())
    token = jwt.decode(logout_token, keys)
    jwt.JWTClaimsRegistry(
        leeway=60, iss={"essential": True, "value": provider["issuer"]},
        aud={"essential": True, "value": provider["client_id"]}, iat={"essential": True},
    ).validate(token.claims)  # fmt: skip
    claims = token.claims
    if BACKCHANNEL_LOGOUT_EVENT not in (claims.get("events") or {}) or "nonce" in claims:
        raise ValueError("not a logout token")
    if not claims.get("sub") and not claims.get("sid"):
        raise ValueError("names no session")
    return claims


def logout_url(name: str, id_token: str | None, return_to: str) -> str | None:
    """Where to send the browser to log out at the provider too (RP-initiated logout), when it offers that."""
    client = client_for(name)
    if client is None:
        return None
    endpoint = client.load_server_metadata().get("end_session_endpoint")
    if not endpoint:
        return None
    query = {"post_logout_redirect_uri": return_to, "client_id": settings_of(name)["client_id"]}
    if id_token:
        query["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"
