"""schemathesis against the app's own OpenAPI description: no 5xx, no response off the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.models import Role

# Business rules (an unknown neighbourhood id) rightly reject some schema-valid input with 422,
# so the check that all schema-valid input is accepted does not apply; all other checks run.
CHECK_OPTIONS = {"excluded_checks": [positive_data_acceptance]}


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")
fuzz_settings = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def resident_token(make_user, make_token, make_neighbourhood):
    make_neighbourhood(name="Second Quarter")
    return make_token(make_user(role=Role.RESIDENT))


@schema.parametrize()
@fuzz_settings
def test_api_as_resident(case, resident_token):
    """Every operation, fed generated input with a valid token, answers within its schema."""
    case.call_and_validate(headers={"Authorization": f"Bearer {resident_token}"}, **CHECK_OPTIONS)


@pytest.fixture
def manager_token(make_user, make_token):
    return make_token(make_user(role=Role.MANAGER))


@schema.parametrize()
@fuzz_settings
def test_api_as_manager(case, manager_token):
    """The third role: a manager's token on every operation answers within its schema (403 where it is not theirs)."""
    case.call_and_validate(headers={"Authorization": f"Bearer {manager_token}"}, **CHECK_OPTIONS)


@pytest.fixture
def organisation_token(app, client):
    """An access token of an organisation client holding every scope, from /oauth/token."""
    from app.extensions import db
    from clients import services
    from clients.scopes import SCOPE_LABELS
    from rewards.catalogue.services import create_partner

    with app.app_context():
        partner = create_partner("Stadtbad")
        registered, secret = services.register_client("Till", "Stadtbad", list(SCOPE_LABELS), partner.id)
        client_id = registered.client_id
        db.session.commit()
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return client.post("/oauth/token", data=form).get_json()["access_token"]


@schema.parametrize()
@fuzz_settings
def test_api_as_organisation_client(case, organisation_token):
    """A partner system's client-credentials token on every operation answers within its schema (403 where no scope
    of it is accepted)."""
    case.call_and_validate(headers={"Authorization": f"Bearer {organisation_token}"}, **CHECK_OPTIONS)


@schema.parametrize()
@fuzz_settings
def test_api_anonymous(case):
    """Without credentials every operation answers within its schema (401 where login is needed)."""
    case.call_and_validate(**CHECK_OPTIONS)


def test_spec_is_served(client):
    """The OpenAPI 3 description is served at /api/openapi.json and names the contract paths."""
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/neighbourhoods"} <= set(spec["paths"])
    assert "bearerAuth" in spec["components"]["securitySchemes"]
