"""The leaderboards' JSON API: pages with page/per_page, `me`, the public neighbourhood ranking, the season."""

import json
from datetime import UTC, datetime

import pytest

from accounts.models import Role
from app.clock import local_date
from app.extensions import db
from challenges.scoring import Category, Format
from leaderboards import services
from tests.leaderboards.conftest import add_field, add_residents


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def field(app, make_challenge, make_user, make_neighbourhood):
    """A running challenge: scores 6, 5, 5 (one neighbourhood), 3, 2, 1, and a resident (returned) scoring 4."""

    def build(format=Format.INDIVIDUAL, publish=True):
        me = make_user()
        place = make_neighbourhood().id
        with app.app_context():
            challenge = make_challenge(
                category=Category.MOBILITY, format=format, publish=publish, now=datetime.now(UTC)
            )
            people = add_residents(6, hidden=[False, True, False, False, False, False])
            for person in people[:3]:
                person.neighbourhood_id = place
            add_field(challenge, [*people, db.session.merge(me)], [6.0, 5.0, 5.0, 3.0, 2.0, 1.0, 4.0])
            db.session.commit()
            return challenge.id, [person.pseudonym for person in people], me

    return build


def test_pages_of_the_ranking(client, field):
    """page and per_page as everywhere, totals in X-Pagination; ties share a rank; hidden residents have no name."""
    challenge_id, names, me = field()
    response = client.get(f"/api/v1/challenges/{challenge_id}/leaderboard?per_page=3")
    body = response.get_json()
    assert json.loads(response.headers["X-Pagination"])["total"] == 7
    assert json.loads(response.headers["X-Pagination"])["total_pages"] == 3
    assert body["challenge_id"] == challenge_id and body["participants"] == 7 and body["me"] is None
    assert [(e["rank"], e["pseudonym"], e["hidden"], e["score"]) for e in body["entries"]] == [
        (1, names[0], False, 6.0),
        (2, names[2], False, 5.0),
        (2, None, True, 5.0),
    ]
    second = client.get(f"/api/v1/challenges/{challenge_id}/leaderboard?per_page=3&page=2").get_json()
    assert [(e["rank"], e["pseudonym"]) for e in second["entries"]] == [(4, me.pseudonym), (5, names[3]), (6, names[4])]
    assert client.get(f"/api/v1/challenges/{challenge_id}/leaderboard?per_page=500").status_code == 422


def test_me_for_a_participant(client, field, make_token, make_user):
    """With a token, a participant gets their rank, share and neighbours; anyone else gets `me: null`."""
    challenge_id, names, me = field()
    body = client.get(f"/api/v1/challenges/{challenge_id}/leaderboard", headers=bearer(make_token(me))).get_json()
    assert body["me"] == {
        "rank": 4, "score": 4.0, "participants": 7, "top_percent": 58, "percentile": 42.9,
        "above": [
            {"rank": 2, "pseudonym": names[2], "hidden": False, "you": False, "score": 5.0},
            {"rank": 2, "pseudonym": None, "hidden": True, "you": False, "score": 5.0},
        ],
        "below": [
            {"rank": 5, "pseudonym": names[3], "hidden": False, "you": False, "score": 3.0},
            {"rank": 6, "pseudonym": names[4], "hidden": False, "you": False, "score": 2.0},
        ],
    }  # fmt: skip
    assert [entry["you"] for entry in body["entries"]] == [False, False, False, True, False, False, False]
    outsider = make_token(make_user())
    assert client.get(f"/api/v1/challenges/{challenge_id}/leaderboard", headers=bearer(outsider)).json["me"] is None


def test_drafts_are_404_except_for_managers(client, field, make_token, make_user):
    """A draft's ranking does not exist for residents and visitors; managers see it; unknown ids are 404."""
    challenge_id, _names, me = field(publish=False)
    path = f"/api/v1/challenges/{challenge_id}/leaderboard"
    assert client.get(path).status_code == 404
    assert client.get(path, headers=bearer(make_token(me))).status_code == 404
    assert client.get(path, headers=bearer(make_token(make_user(role=Role.MANAGER)))).status_code == 200
    missing = client.get("/api/v1/challenges/2147483647/leaderboard")
    assert missing.status_code == 404 and missing.get_json()["message"] == "No such challenge."


def test_the_public_neighbourhood_ranking(app, client, field, make_neighbourhood, make_token, make_user):
    """No log-in; cacheable with an ETag (304 when unchanged); small neighbourhoods neither ranked nor scored."""
    challenge_id, _names, _me = field(format=Format.NEIGHBOURHOOD)
    path = f"/api/v1/challenges/{challenge_id}/leaderboard/neighbourhoods"
    response = client.get(path)
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]
    body = response.get_json()
    assert (body["challenge_id"], body["min_participants"], body["metric"]) == (challenge_id, 3, "car_km_avoided")
    old_town, alone = body["neighbourhoods"]
    assert (old_town["name"], old_town["ranked"], old_town["rank"], old_town["participants"]) == (
        old_town["name"],
        True,
        1,
        3,
    )
    assert old_town["score"] == pytest.approx(16 / 3)
    assert (alone["ranked"], alone["rank"], alone["score"], alone["participants"]) == (False, None, None, None)
    again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    individual, _names, _me = field()
    assert client.get(f"/api/v1/challenges/{individual}/leaderboard/neighbourhoods").status_code == 404
    draft, _names, _me = field(format=Format.NEIGHBOURHOOD, publish=False)
    manager = bearer(make_token(make_user(role=Role.MANAGER)))
    assert client.get(f"/api/v1/challenges/{draft}/leaderboard/neighbourhoods", headers=manager).status_code == 404


def test_the_season_ranking(app, client, make_user, make_token):
    """window=week|month|all, paginated, with `me`; period_start names the window's first day; other windows are 422."""
    me, other = make_user(pseudonym="Mira"), make_user(pseudonym="Jonas")
    with app.app_context():
        today = local_date(datetime.now(UTC))
        services.add_season_points(me.id, today, 30)
        services.add_season_points(other.id, today, 50)
        db.session.commit()
        month_start = services.period_start(services.Period.MONTH, today)
    response = client.get("/api/v1/leaderboards/season?window=month&per_page=1", headers=bearer(make_token(me)))
    body = response.get_json()
    assert json.loads(response.headers["X-Pagination"])["total"] == 2
    assert (body["window"], body["period_start"], body["participants"]) == ("month", month_start.isoformat(), 2)
    assert body["entries"] == [{"rank": 1, "pseudonym": "Jonas", "hidden": False, "you": False, "points": 50}]
    assert (body["me"]["rank"], body["me"]["points"], body["me"]["above"][0]["points"]) == (2, 30, 50)
    everything = client.get("/api/v1/leaderboards/season?window=all").get_json()
    assert everything["period_start"] is None and everything["me"] is None
    assert client.get("/api/v1/leaderboards/season").get_json()["window"] == "week"
    assert client.get("/api/v1/leaderboards/season?window=decade").status_code == 422


def test_the_contract_paths_are_described(client):
    """The OpenAPI description names the leaderboard paths."""
    paths = set(client.get("/api/openapi.json").get_json()["paths"])
    assert {
        "/api/v1/challenges/{challenge_id}/leaderboard",
        "/api/v1/challenges/{challenge_id}/leaderboard/neighbourhoods",
        "/api/v1/leaderboards/season",
    } <= paths
