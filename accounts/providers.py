"""The city's OpenID Connect providers as Authlib clients, one per entry of OIDC_PROVIDERS: discovery from the
issuer, the authorization code flow with PKCE (S256), and the ID token checked by Authlib (signature against the
provider's JWKS, issuer, audience, expiry and nonce)."""

from authlib.integrations.flask_client import OAuth
from flask import current_app

REGISTRY = "civiquest.oidc"


def init_app(app) -> None:
    registry = OAuth(app)
    for name, provider in app.config["OIDC_PROVIDERS"].items():
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
