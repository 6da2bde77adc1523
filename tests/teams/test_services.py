"""Rules of teams, tested on the services: founding, joining by code or request, leaving, captaincy, moderation."""

import pytest

from accounts.models import Role, User
from app.extensions import db
from teams import errors, services
from teams.models import MemberState, TeamStatus

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def resident(make_user):
    """A fresh resident, attached to the test's session."""
    return lambda **fields: db.session.get(User, make_user(**fields).id)


def _team(captain, name="Klasse 5b", is_open=False):
    return services.found_team(captain, name, "school", "Die Klasse von Frau Özdemir", is_open)


def test_the_founder_becomes_captain_and_the_team_waits_for_approval(resident):
    """A new team is pending, with a readable invitation code and its founder as its one member and captain."""
    ada = resident()
    team = _team(ada)
    assert team.status == TeamStatus.PENDING
    assert len(team.invite_code) == 8 and set(team.invite_code) <= set(services.CODE_ALPHABET)
    assert [(m.user_id, m.is_captain) for m in services.members(team)] == [(ada.id, True)]
    assert services.public_teams() == []


def test_team_names_are_unique_regardless_of_case(resident):
    """ "KLASSE 5B " is the same name as "Klasse 5b"."""
    _team(resident())
    with pytest.raises(errors.TeamNameTaken):
        _team(resident(), name=" KLASSE 5B ")


def test_a_resident_is_in_one_team_at_a_time(resident):
    """Founding, joining by code or asking to join while in a team (or waiting for one) is refused."""
    ada, bob = resident(), resident()
    first = _team(ada)
    second = _team(bob, name="Familie Müller", is_open=True)
    services.moderate(second, TeamStatus.APPROVED)
    with pytest.raises(errors.AlreadyInTeam):
        _team(ada, name="Noch ein Team")
    with pytest.raises(errors.AlreadyInTeam):
        services.join_by_code(ada, second.invite_code)
    with pytest.raises(errors.AlreadyInTeam):
        services.ask_to_join(ada, second)
    assert services.membership_of(ada).team_id == first.id


def test_joining_by_code_accepts_what_people_type(resident):
    """Lower case, spaces and dashes in the code do not matter; a wrong code is refused on the code field."""
    team = _team(resident())
    bob = resident()
    typed = f" {team.invite_code[:4].lower()}-{team.invite_code[4:]} "
    assert services.join_by_code(bob, typed) == team
    assert services.member_count(team) == 2
    with pytest.raises(errors.WrongCode) as refused:
        services.join_by_code(resident(), "XXXX-XXXX")
    assert refused.value.field == "code"


def test_a_hidden_team_takes_nobody_by_code(resident):
    """Hiding a team stops its invitations too."""
    team = _team(resident())
    services.moderate(team, TeamStatus.HIDDEN)
    with pytest.raises(errors.WrongCode):
        services.join_by_code(resident(), team.invite_code)


def test_asking_to_join_needs_an_open_approved_team_and_the_captain_decides(resident):
    """A request waits; accepting makes a member, declining removes the request; closed or pending teams refuse."""
    captain = resident()
    team = _team(captain, is_open=True)
    with pytest.raises(errors.TeamNotFound):
        services.ask_to_join(resident(), team)  # not approved yet
    services.moderate(team, TeamStatus.APPROVED)
    bob, eve = resident(), resident()
    services.ask_to_join(bob, team)
    services.ask_to_join(eve, team)
    assert [r.user_id for r in services.requests(team)] == [bob.id, eve.id]
    assert services.member_count(team) == 1
    services.answer_request(captain, team, bob.id, accept=True)
    services.answer_request(captain, team, eve.id, accept=False)
    assert services.membership_of(bob).state == MemberState.MEMBER
    assert services.membership_of(eve) is None
    team.is_open = False
    with pytest.raises(errors.TeamClosed):
        services.ask_to_join(eve, team)


def test_nobody_but_the_captain_acts_on_a_team(resident):
    """A member or an outsider cannot accept requests, remove members or take the captaincy."""
    captain, member, outsider, asking = resident(), resident(), resident(), resident()
    team = _team(captain, is_open=True)
    services.moderate(team, TeamStatus.APPROVED)
    services.join_by_code(member, team.invite_code)
    services.ask_to_join(asking, team)
    for actor in (member, outsider):
        with pytest.raises(errors.NotCaptain):
            services.answer_request(actor, team, asking.id, accept=True)
        with pytest.raises(errors.NotCaptain):
            services.remove_member(actor, team, captain.id)
        with pytest.raises(errors.NotCaptain):
            services.hand_over(actor, team, actor.id)
    assert services.is_captain(team, captain) and services.membership_of(asking).state == MemberState.REQUESTED


def test_the_captain_hands_over_before_leaving(resident):
    """A captain with members must hand over first; afterwards there is exactly one captain, and they may leave."""
    ada, bob = resident(), resident()
    team = _team(ada)
    services.join_by_code(bob, team.invite_code)
    with pytest.raises(errors.CaptainMustHandOver):
        services.leave(ada, team)
    services.hand_over(ada, team, bob.id)
    assert [m.user_id for m in services.members(team) if m.is_captain] == [bob.id]
    services.leave(ada, team)
    assert services.membership_of(ada) is None and services.member_count(team) == 1


def test_the_last_member_leaving_ends_the_team(resident):
    """A captain alone in the team takes it with them; the name is free again."""
    ada = resident()
    team = _team(ada)
    services.leave(ada, team)
    db.session.flush()
    with pytest.raises(errors.TeamNotFound):
        services.get_team(team.id)
    _team(resident())  # the same name, founded again


def test_the_captain_removes_a_member_but_not_themselves(resident):
    """Removing frees the member for another team; the captain cannot remove themselves, nor a non-member."""
    ada, bob = resident(), resident()
    team = _team(ada)
    services.join_by_code(bob, team.invite_code)
    with pytest.raises(errors.CaptainMustHandOver):
        services.remove_member(ada, team, ada.id)
    with pytest.raises(errors.NotAMember):
        services.remove_member(ada, team, resident().id)
    services.remove_member(ada, team, bob.id)
    assert services.membership_of(bob) is None


def test_unapproved_and_hidden_teams_are_seen_only_by_members_and_managers(resident, make_user):
    """A pending or hidden team is "not found" to others; approving shows it to everybody."""
    ada, stranger = resident(), resident()
    manager = db.session.get(User, make_user(role=Role.MANAGER).id)
    team = _team(ada)
    for status in (TeamStatus.PENDING, TeamStatus.HIDDEN):
        services.moderate(team, status)
        assert services.visible_team(team.id, ada) == team
        assert services.visible_team(team.id, manager) == team
        for viewer in (stranger, None):
            with pytest.raises(errors.TeamNotFound):
                services.visible_team(team.id, viewer)
    services.moderate(team, TeamStatus.APPROVED)
    assert services.visible_team(team.id, None) == team and services.public_teams() == [team]


def test_reports_reach_the_managers_once_per_resident_and_a_rename_answers_them(resident):
    """Reported teams come first in the managers' list; renaming and approving clears the reports."""
    calm = _team(resident(), name="Aaa Ruhig")
    rude = _team(resident(), name="Zzz Grob")
    services.moderate(calm, TeamStatus.APPROVED)
    services.moderate(rude, TeamStatus.APPROVED)
    reporter = resident()
    services.report(reporter, rude, "Beleidigender Name")
    with pytest.raises(errors.AlreadyReported):
        services.report(reporter, rude, "noch einmal")
    assert services.teams_to_moderate()[0] == (rude, 1)
    with pytest.raises(errors.TeamNameTaken):
        services.moderate(rude, TeamStatus.APPROVED, name="aaa ruhig")
    services.moderate(rude, TeamStatus.APPROVED, name="Team Rücksicht")
    assert rude.name == "Team Rücksicht" and services.reports_of(rude) == []
