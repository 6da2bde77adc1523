"""The team board and the new team endpoints through the API and the pages: sub-teams by the captain, the
"show my contribution" setting, the team ranking as JSON and HTML (per member and total, pages, 404 when the
challenge does not rank teams), and the members' scores page; bad input is a 4xx, never a 500."""

from datetime import time

import pytest

from accounts.models import Role, User
from app.extensions import db
from challenges import participation
from challenges.kinds.trip import submit_trip
from challenges.models import Challenge
from challenges.scoring import Category, Mode
from teams import services as teams
from teams.models import Team, TeamStatus
from tests.challenges.conftest import NOW
from tests.conftest import log_in

GERMAN = {"Accept-Language": "de"}


@pytest.fixture
def api(app, make_user, make_token):
    class Caller:
        def __init__(self, role, **fields):
            self.user = make_user(role=role, **fields)
            self.headers = {"Authorization": f"Bearer {make_token(self.user)}"}
            self.client = app.test_client()

        def __getattr__(self, method):
            return lambda path, **kw: getattr(self.client, method)(path, headers=self.headers, **kw)

    return lambda role=Role.RESIDENT, **fields: Caller(role, **fields)


@pytest.fixture
def board(app, make_challenge, make_user):
    """A running challenge ranking teams: "Familie Kaya" (3 members, 20 km each) and "Stadtwerke" (4 members,
    10 km each, with the sub-team "Werkstatt" of 3)."""
    with app.app_context():
        challenge = db.session.get(Challenge, make_challenge(category=Category.MOBILITY, ranks_teams=True).id)

        def person(km):
            user = db.session.get(User, make_user().id)
            enrollment = participation.join(challenge, user, now=NOW)
            submit_trip(enrollment, NOW.date(), Mode.BIKE, km, True, trip_time=time(7, 0), now=NOW)
            return user

        kaya = [person(20) for _ in range(3)]
        family = teams.found_team(kaya[0], "Familie Kaya", "family", None, False)
        for user in kaya[1:]:
            teams.join_by_code(user, family.invite_code)
        works = [person(10) for _ in range(4)]
        company = teams.found_team(works[0], "Stadtwerke", "company", None, False)
        workshop = teams.found_sub_team(works[0], company, "Werkstatt", None, False)
        for user in works[1:]:
            teams.join_by_code(user, workshop.invite_code)
        for team in (family, company, workshop):
            teams.moderate(team, TeamStatus.APPROVED)
        db.session.commit()
        return {"challenge": challenge.id, "family": family.id, "company": company.id, "workshop": workshop.id,
                "captain": kaya[0].id, "member": kaya[1].id}  # fmt: skip


def test_the_team_board_as_json_per_member_and_by_total(client, board):
    """Per member the family leads, by total the company; paging follows the API's rules; ties are 1, 2, 2, 4."""
    url = f"/api/v1/challenges/{board['challenge']}/leaderboard/teams"
    body = client.get(url).get_json()
    assert [(e["rank"], e["name"], e["members"]) for e in body["entries"]] == [(1, "Familie Kaya", 3),
                                                                               (2, "Stadtwerke", 4)]  # fmt: skip
    assert body["min_members"] == 3 and body["teams"] == 2 and body["mine"] is None
    total = client.get(f"{url}?by=total").get_json()
    assert [e["name"] for e in total["entries"]] == ["Familie Kaya", "Stadtwerke"]  # 60 against 40
    second = client.get(f"{url}?page=2&per_page=1")
    assert second.status_code == 200 and [e["rank"] for e in second.get_json()["entries"]] == [2]
    inside = client.get(f"{url}/{board['company']}").get_json()
    assert [(e["name"], e["members"]) for e in inside["entries"]] == [("Werkstatt", 3)]


@pytest.mark.parametrize("query", ["?by=average", "?page=0", "?page=abc", "?per_page=100000"])
def test_bad_board_arguments_are_a_4xx(client, board, query):
    """A wrong order or page is refused with a JSON error, not a 500."""
    response = client.get(f"/api/v1/challenges/{board['challenge']}/leaderboard/teams{query}")
    assert 400 <= response.status_code < 500 and response.is_json


def test_no_team_board_for_a_challenge_that_does_not_rank_teams(app, client, make_challenge):
    """404 on the API and the page alike."""
    with app.app_context():
        challenge_id = make_challenge(category=Category.MOBILITY).id
    assert client.get(f"/api/v1/challenges/{challenge_id}/leaderboard/teams").status_code == 404
    assert client.get(f"/challenges/{challenge_id}/leaderboard/teams").status_code == 404


def test_a_member_sees_their_team_marked(app, board):
    """A logged-in member gets `mine`, their team's line."""
    member = app.test_client()
    with app.app_context():
        log_in(member, db.session.get(User, board["member"]))
    body = member.get(f"/api/v1/challenges/{board['challenge']}/leaderboard/teams").get_json()
    assert body["mine"]["name"] == "Familie Kaya" and body["mine"]["rank"] == 1


def test_sub_teams_and_the_contribution_setting_through_the_api(api):
    """The captain founds a sub-team (a member may not); a member switches "show my contribution" on."""
    captain, member = api(), api()
    team = captain.post("/api/v1/teams", json={"name": "Gesamtschule", "kind": "school"}).get_json()
    member.post("/api/v1/teams/join", json={"code": team["invite_code"]})
    refused = member.post(f"/api/v1/teams/{team['id']}/sub-teams", json={"name": "Klasse 7a"})
    assert refused.status_code == 403
    sub = captain.post(f"/api/v1/teams/{team['id']}/sub-teams", json={"name": "Klasse 7a", "is_open": True})
    assert sub.status_code == 201 and sub.get_json()["parent_id"] == team["id"]
    assert captain.post(f"/api/v1/teams/{sub.get_json()['id']}/sub-teams", json={"name": "Gruppe"}).status_code == 422
    assert captain.post(f"/api/v1/teams/{team['id']}/sub-teams", json={"name": " "}).status_code == 422
    assert captain.post(f"/api/v1/teams/{team['id']}/sub-teams", json={"name": "gesamtschule"}).status_code == 409
    shown = member.put(f"/api/v1/teams/{team['id']}/contribution", json={"shows": True})
    assert shown.status_code == 200 and shown.get_json()["shows_contribution"] is True
    assert member.put(f"/api/v1/teams/{team['id']}/contribution", json={"shows": "ja"}).status_code == 422
    assert captain.get(f"/api/v1/teams/{team['id']}").get_json()["sub_teams"][0]["name"] == "Klasse 7a"


def test_the_pages_in_english_and_german(app, client, board):
    """The team board (both orders, a parent's sub-teams) and the members' scores page, with the captain's
    contributions table; outsiders get a 404 for the scores page."""
    base = f"/challenges/{board['challenge']}/leaderboard/teams"
    page = client.get(base).get_data(as_text=True)
    assert "Familie Kaya" in page and "Stadtwerke" in page
    assert "Werkstatt" in client.get(f"{base}/{board['company']}").get_data(as_text=True)
    assert client.get(f"{base}?by=total&page=2", headers=GERMAN).status_code == 200
    assert client.get(f"{base}?by=nonsense&page=x").status_code == 200
    captain = app.test_client()
    with app.app_context():
        log_in(captain, db.session.get(User, board["captain"]))
    scores = captain.get(f"/teams/{board['family']}/scores")
    assert scores.status_code == 200 and "Members and their contributions" in scores.get_data(as_text=True)
    assert client.get(f"/teams/{board['family']}/scores").status_code in (302, 401)
    stranger_page = captain.get(f"/teams/{board['company']}/scores")
    assert stranger_page.status_code == 404


def test_the_captain_founds_a_sub_team_and_a_member_saves_the_setting_on_the_pages(app, make_user):
    """Both forms work without JavaScript; a blank name is a form error on the page."""
    ada, bob = make_user(), make_user()
    captain, member = app.test_client(), app.test_client()
    log_in(captain, ada)
    log_in(member, bob)
    captain.post("/teams/new", data={"name": "Firma Blau", "kind": "company", "description": ""})
    with app.app_context():
        team = db.session.query(Team).filter_by(name="Firma Blau").one()
        team_id, code = team.id, team.invite_code
    member.post("/teams/join", data={"code": code})
    assert member.get(f"/teams/{team_id}/sub-teams/new").status_code == 403
    assert captain.post(f"/teams/{team_id}/sub-teams/new", data={"name": ""}).status_code == 422
    made = captain.post(f"/teams/{team_id}/sub-teams/new", data={"name": "Vertrieb"})
    assert made.status_code == 302
    assert member.post(f"/teams/{team_id}/contribution", data={"shows": "y"}).status_code == 302
    with app.app_context():
        assert teams.membership_of(db.session.get(User, bob.id)).shows_contribution is True
    assert "Vertrieb" in captain.get(f"/teams/{team_id}", headers=GERMAN).get_data(as_text=True)
