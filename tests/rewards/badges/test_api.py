"""JSON API of a resident's badges: the list with assertion URLs, and making one private."""

import pytest

from app.extensions import db
from rewards.badges import services
from rewards.models import BadgeRule
from tests.rewards.badges.test_services import SVG
from tests.rewards.conftest import API, assert_error


@pytest.fixture
def awarded(app, resident_client):
    """The resident holds the first-submission badge; returns its uid."""
    with app.app_context():
        services.create_badge(name="First step", description="Sent a first reading.", criteria="Submit once.",
                              image_svg=SVG, rule=BadgeRule.FIRST_SUBMISSION)  # fmt: skip
        (item,) = services.award(resident_client.user.id, BadgeRule.FIRST_SUBMISSION)
        db.session.commit()
        return item.uid


def test_my_badges_and_making_one_private(resident_client, awarded):
    """Badges list with their public assertion URL; PATCH private hides one and can publish it again."""
    response = resident_client.get(f"{API}/me/badges")
    assert response.status_code == 200, response.get_json()
    (shown,) = response.get_json()
    assert shown["uid"] == awarded and shown["private"] is False and shown["awarded_at"]
    assert shown["badge"]["name"] == "First step" and shown["badge"]["description"] == "Sent a first reading."
    assert shown["assertion_url"].endswith(f"/badges/assertions/{awarded}")
    assert shown["badge"]["image_url"].endswith(".svg")
    hidden = resident_client.patch(f"{API}/me/badges/{awarded}", json={"private": True})
    assert hidden.status_code == 200 and hidden.get_json()["private"] is True
    assert resident_client.get(f"{API}/me/badges").get_json()[0]["private"] is True
    assert resident_client.patch(f"{API}/me/badges/{awarded}", json={"private": False}).get_json()["private"] is False


def test_badge_changes_refuse_bad_input(resident_client, app, make_user, login, awarded):
    """Only a boolean `private`; unknown and other residents' badges are 404."""
    for body in ({}, {"private": "yes"}, {"private": 1}, {"private": None}):
        assert_error(resident_client.patch(f"{API}/me/badges/{awarded}", json=body), 422, "private")
    assert_error(resident_client.patch(f"{API}/me/badges/{'0' * 32}", json={"private": True}), 404)
    assert_error(resident_client.patch(f"{API}/me/badges/not%00hex", json={"private": True}), 404)
    stranger = app.test_client()
    login(stranger, make_user())
    assert_error(stranger.patch(f"{API}/me/badges/{awarded}", json={"private": True}), 404, rule="not_found")
    assert stranger.get(f"{API}/me/badges").get_json() == []
