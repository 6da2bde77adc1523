"""The OpenAPI description states the rules the API enforces beyond types: an empty PATCH is refused
(minProperties), and a reward's cost, stock and per-resident limit have the service's ranges."""

import pytest

from accounts.models import Role
from rewards.catalogue.services import MAX_COST, MAX_STOCK


@pytest.fixture(scope="module")
def schemas(app):
    return app.test_client().get("/api/openapi.json").get_json()["components"]["schemas"]


@pytest.mark.parametrize("name", ["MeUpdate", "ChallengeUpdate", "RewardUpdate"])
def test_patch_bodies_need_a_field(schemas, name):
    """Every PATCH body is described with minProperties 1, as the API refuses {}."""
    assert schemas[name]["minProperties"] == 1


@pytest.mark.parametrize(
    ("field", "low", "high"), [("cost", 1, MAX_COST), ("stock", 0, MAX_STOCK), ("per_resident_limit", 1, MAX_STOCK)]
)
def test_reward_ranges_are_described(schemas, field, low, high):
    """The ranges the catalogue service enforces are in the description, for create and update alike."""
    for name in ("RewardCreate", "RewardUpdate"):
        described = schemas[name]["properties"][field]
        assert (described["minimum"], described["maximum"]) == (low, high)


@pytest.mark.parametrize(
    ("role", "path", "body"),
    [(Role.RESIDENT, "/api/v1/me", {}), (Role.MANAGER, "/api/v1/challenges/1", {"title": "Bad\x01Title"})],
)
def test_refusals_speak_german_throughout(app, make_user, make_token, role, path, body):
    """An empty PATCH and a control character are refused with German messages for a German caller."""
    user = make_user(role=role, language="de")
    response = app.test_client().patch(path, json=body, headers={"Authorization": f"Bearer {make_token(user)}"})
    assert response.status_code == 422
    payload = response.get_json()
    assert payload["message"] == "Die Eingabe ist ungültig."
    english = {"Send at least one field to change.", "Control characters are not allowed."}
    assert not english & {text for texts in payload["errors"].values() for text in texts}
    assert payload["errors"]
