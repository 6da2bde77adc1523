"""Organisation clients' tests: a registered client and its token, and the rewards builders the till needs."""

import base64

import pytest

from app.extensions import db
from clients import services
from tests.rewards.conftest import give, make_partner, make_reward, partner, reward  # noqa: F401  (fixtures)


def basic(client_id: str, secret: str) -> dict:
    """An HTTP Basic header with a client's id and secret (client_secret_basic)."""
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def register(app):
    """Register a client outside an app context; returns (client id, primary key, secret)."""

    def make(scopes=("vouchers:validate",), partner_id=None, name="Till at the Stadtbad", organisation="Stadtbad"):
        with app.app_context():
            client, secret = services.register_client(name, organisation, list(scopes), partner_id)
            db.session.commit()
            return client.client_id, client.id, secret

    return make


@pytest.fixture
def token_for(client):
    """Ask /oauth/token for an access token; returns the JSON answer."""

    def ask(client_id: str, secret: str, **form):
        response = client.post("/oauth/token", data={"grant_type": "client_credentials", **form},
                               headers=basic(client_id, secret))  # fmt: skip
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return ask
