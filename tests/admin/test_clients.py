"""Admin pages for organisation clients: register one (its secret shown once), rotate its secret, revoke it."""

import re

from sqlalchemy import func, select

from app.extensions import db
from clients.models import OrganisationClient
from tests.clients.conftest import basic

SECRET = re.compile(r'id="client-secret"[^>]*value="([^"]+)"')
CLIENT_ID = re.compile(r'id="client-id"[^>]*value="([^"]+)"')


def _token_status(client, client_id: str, secret: str) -> int:
    return client.post("/oauth/token", data={"grant_type": "client_credentials"},
                       headers=basic(client_id, secret)).status_code  # fmt: skip


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OrganisationClient))


def test_an_admin_registers_a_client_and_sees_its_secret_once(app, admin_client, client):
    """The answer shows client id and secret; the list shows the client but never the secret; the secret works."""
    form = {"name": "Statistics feed", "organisation": "Statistikamt", "stats_read": "y", "partner_id": ""}
    response = admin_client.post("/admin/clients", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 201, page
    secret, client_id = SECRET.search(page)[1], CLIENT_ID.search(page)[1]
    listing = admin_client.get("/admin/clients").get_data(as_text=True)
    assert client_id in listing and "Statistikamt" in listing and "stats:read" in listing and secret not in listing
    assert _token_status(client, client_id, secret) == 200


def test_refusals_show_on_the_form_and_create_nothing(app, admin_client):
    """No scope, or vouchers:validate without a partner, or a missing name: 422 with the reason on the field."""
    cases = [
        ({"name": "Till", "organisation": "Pool", "partner_id": ""}, "Choose at least one scope."),
        ({"name": "Till", "organisation": "Pool", "vouchers_validate": "y", "partner_id": ""},
         "A client that validates vouchers must belong to a reward partner."),
        ({"name": "", "organisation": "Pool", "stats_read": "y", "partner_id": ""}, "This field is required."),
        ({"name": "Till", "organisation": "Pool", "stats_read": "y", "partner_id": "999"}, "Not a valid choice"),
    ]  # fmt: skip
    for form, message in cases:
        response = admin_client.post("/admin/clients", data=form)
        assert response.status_code == 422 and message in response.get_data(as_text=True), form
    assert _count(app) == 0


def test_rotating_and_revoking(app, admin_client, client):
    """A new secret replaces the old one at once; a revoked client's secret fails and it cannot be rotated again."""
    form = {"name": "Feed", "organisation": "City", "stats_read": "y", "partner_id": ""}
    page = admin_client.post("/admin/clients", data=form).get_data(as_text=True)
    client_id, old = CLIENT_ID.search(page)[1], SECRET.search(page)[1]
    with app.app_context():
        pk = db.session.scalar(select(OrganisationClient.id))
    rotated = admin_client.post(f"/admin/clients/{pk}/rotate")
    assert rotated.status_code == 200
    new = SECRET.search(rotated.get_data(as_text=True))[1]
    assert new != old and _token_status(client, client_id, old) == 401 and _token_status(client, client_id, new) == 200
    revoked = admin_client.post(f"/admin/clients/{pk}/revoke", follow_redirects=True)
    assert "Feed is revoked" in revoked.get_data(as_text=True)
    assert _token_status(client, client_id, new) == 401
    again = admin_client.post(f"/admin/clients/{pk}/rotate", follow_redirects=True)
    assert "This client is revoked" in again.get_data(as_text=True)
    assert _token_status(client, client_id, new) == 401
    assert admin_client.post("/admin/clients/999/revoke").status_code == 404
