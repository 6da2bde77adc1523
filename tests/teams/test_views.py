"""The team pages through the test client: founding, joining by code and by request, leaving, moderating, and
refusals with clear errors (never a 500)."""

import re

from accounts.models import Role
from app.extensions import db
from teams.models import Team, TeamMember
from tests.conftest import log_in

GERMAN = {"Accept-Language": "de"}


def _client(app, user):
    client = app.test_client()
    log_in(client, user)
    return client


def _team(app, name) -> Team:
    with app.app_context():
        team = db.session.query(Team).filter_by(name=name).one()
        db.session.expunge(team)
        return team


def _found(client, name="Klasse 5b", is_open="y"):
    return client.post("/teams/new", data={"name": name, "kind": "school", "description": "", "is_open": is_open})


def test_found_join_by_link_and_leave(app, make_user):
    """A resident founds a team; another follows the invitation link, joins, sees the members, and leaves."""
    ada, bob = make_user(pseudonym="Ada"), make_user(pseudonym="Bob")
    captain, member = _client(app, ada), _client(app, bob)
    response = _found(captain)
    assert response.status_code == 302
    team = _team(app, "Klasse 5b")
    page = captain.get(f"/teams/{team.id}").get_data(as_text=True)
    assert team.invite_code in page and "waiting for approval" in page
    link = re.search(r"http://[^<\s]*/teams/join\?code=\w+", page)[0]
    assert f'value="{team.invite_code}"' in member.get(link.removeprefix("http://localhost")).get_data(as_text=True)
    assert member.post("/teams/join", data={"code": team.invite_code.lower()}).status_code == 302
    page = member.get(f"/teams/{team.id}").get_data(as_text=True)
    assert "Ada" in page and "Bob" in page and "2 members" in page
    assert member.post(f"/teams/{team.id}/leave").status_code == 302
    with app.app_context():
        assert db.session.query(TeamMember).filter_by(user_id=bob.id).count() == 0


def test_bad_input_gets_form_errors_not_a_500(app, make_user):
    """Empty or over-long names, a taken name, a wrong code and a second team: each a message on the page."""
    ada = make_user()
    client = _client(app, ada)
    assert _found(client, name="").status_code == 422
    assert _found(client, name="x" * 61).status_code == 422
    assert _found(client, name="Die Füchse").status_code == 302
    other = _client(app, make_user())
    response = _found(other, name="die füchse")
    assert response.status_code == 422 and "A team with this name already exists." in response.get_data(as_text=True)
    response = other.post("/teams/join", data={"code": "nonsense"})
    assert response.status_code == 422 and "No team has this invitation code" in response.get_data(as_text=True)
    response = _found(client, name="Zweites Team")
    assert response.status_code == 422 and "You are already in a team" in response.get_data(as_text=True)
    german = _found(other, name="die füchse", is_open="")
    assert german.status_code == 422


def test_request_accept_and_the_captain_only_rule(app, make_user):
    """An approved open team takes a request; a member who is not captain cannot accept it; the captain can."""
    ada, bob, eve = make_user(), make_user(pseudonym="Bob"), make_user(pseudonym="Eve")
    captain = _client(app, ada)
    _found(captain)
    team = _team(app, "Klasse 5b")
    manager = _client(app, make_user(role=Role.MANAGER))
    assert "Klasse 5b" in manager.get("/manage/teams").get_data(as_text=True)
    manager.post(f"/manage/teams/{team.id}", data={"name": "Klasse 5b", "status": "approved"})
    bob_client, eve_client = _client(app, bob), _client(app, eve)
    bob_client.post("/teams/join", data={"code": team.invite_code})
    assert eve_client.post(f"/teams/{team.id}/ask").status_code == 302
    assert "Eve" in captain.get(f"/teams/{team.id}").get_data(as_text=True)
    refused = bob_client.post(f"/teams/{team.id}/members/{eve.id}/accept")
    assert refused.status_code == 403
    assert bob_client.post(f"/teams/{team.id}/members/{ada.id}/remove").status_code == 403
    assert captain.post(f"/teams/{team.id}/members/{eve.id}/accept").status_code == 302
    with app.app_context():
        assert db.session.query(TeamMember).filter_by(team_id=team.id, state="member").count() == 3


def test_an_unapproved_team_is_not_public_and_a_hidden_one_disappears(app, make_user, client):
    """Visitors and other residents get 404 for a pending or hidden team and do not see it listed."""
    captain = _client(app, make_user())
    _found(captain, name="Schimpfwort")
    team = _team(app, "Schimpfwort")
    assert client.get(f"/teams/{team.id}").status_code == 404
    assert "Schimpfwort" not in client.get("/teams").get_data(as_text=True)
    manager = _client(app, make_user(role=Role.MANAGER))
    manager.post(f"/manage/teams/{team.id}", data={"name": "Schimpfwort", "status": "approved"})
    assert client.get(f"/teams/{team.id}").status_code == 200
    reporter = _client(app, make_user())
    assert reporter.post(f"/teams/{team.id}/report", data={"reason": ""}).status_code == 422
    assert reporter.post(f"/teams/{team.id}/report", data={"reason": "Beleidigend"}).status_code == 302
    page = manager.get(f"/manage/teams/{team.id}").get_data(as_text=True)
    assert "Beleidigend" in page
    manager.post(f"/manage/teams/{team.id}", data={"name": "Team 7", "status": "hidden"})
    assert client.get(f"/teams/{team.id}").status_code == 404
    assert "Team 7" not in client.get("/teams").get_data(as_text=True)


def test_the_pages_speak_german(app, make_user):
    """The founding form, the join form and a team's page in German, for a resident who reads German."""
    client = _client(app, make_user(language="de"))
    assert "Team gründen" in client.get("/teams/new", headers=GERMAN).get_data(as_text=True)
    _found(client)
    team = _team(app, "Klasse 5b")
    assert "Einladungscode" in client.get("/teams/join", headers=GERMAN).get_data(as_text=True)
    page = client.get(f"/teams/{team.id}", headers=GERMAN).get_data(as_text=True)
    assert "Mitglieder einladen" in page and "1 Mitglied" in page and "wartet auf Freigabe" in page
