"""Connector tests: the default catalogue, a utility client's token, and residents with linked meters."""

import pytest

from app.extensions import db
from connectors import services
from tests.clients.conftest import bearer, make_partner, partner, register, token_for  # noqa: F401  (fixtures)
from tests.sharing.conftest import catalogue, give_consent, make_challenge  # noqa: F401  (fixtures)


@pytest.fixture
def utility(register, token_for):  # noqa: F811  (the imported fixtures)
    """A `readings:write` client's bearer header, from a real client-credentials token."""
    client_id, _pk, secret = register(scopes=("readings:write",), name="Meter data export", organisation="Stadtwerke")
    return bearer(token_for(client_id, secret)["access_token"])


@pytest.fixture
def link(ctx):
    def make(user, meter_number, customer_number="K-100200"):
        meter = services.link_meter(db.session.merge(user), meter_number, customer_number)
        db.session.commit()
        return meter

    return make
