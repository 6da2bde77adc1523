"""Team totals and the team ranking, tested on the services: totals follow scores and moves between teams,
sub-teams count for their parent, ranks per member and by total with ties, the 3-member rule, approval, the
scores check, and which contributions a captain sees."""

from datetime import time

import pytest
from sqlalchemy import select

from accounts.models import User
from app import reconciliation
from app.extensions import db
from challenges import participation
from challenges.kinds.trip import submit_trip
from challenges.scoring import Category, Mode
from leaderboards import errors, team_board
from leaderboards.team_board import Order
from teams import services as teams
from teams.models import TeamScore, TeamStatus
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")
DAY = NOW.date()


@pytest.fixture
def resident(make_user):
    return lambda **fields: db.session.get(User, make_user(**fields).id)


@pytest.fixture
def challenge(make_challenge):
    """A running mobility challenge that ranks teams (car-km avoided)."""
    made = make_challenge(category=Category.MOBILITY, ranks_teams=True)
    return db.session.merge(made)


def _score(challenge, user, km: float, minute: int = 0) -> None:
    """The resident takes part (once) and adds a trip of `km` car-km avoided."""
    enrollment = participation.join(challenge, user, now=NOW)
    submit_trip(enrollment, DAY, Mode.BIKE, km, True, trip_time=time(7, minute), now=NOW)


def _team(captain, name, approve=True, kind="family"):
    team = teams.found_team(captain, name, kind, None, False)
    if approve:
        teams.moderate(team, TeamStatus.APPROVED)
    return team


def _members(team, people):
    for person in people:
        teams.join_by_code(person, team.invite_code)


def _row(challenge, team):
    db.session.expire_all()
    return db.session.scalar(select(TeamScore).where(TeamScore.challenge_id == challenge.id,
                                                     TeamScore.team_id == team.id))  # fmt: skip


def test_scores_add_to_the_team_and_a_join_brings_the_score_along(challenge, resident):
    """A member's trips add to the team's total; a resident who scored before joining brings their score with them,
    and leaving takes it away again."""
    ada, bob = resident(), resident()
    team = _team(ada, "Familie Özdemir")
    _score(challenge, ada, 10)
    _score(challenge, bob, 6)
    row = _row(challenge, team)
    assert (row.total_units, row.members, row.per_member) == (pytest.approx(10), 1, pytest.approx(10))
    _members(team, [bob])
    row = _row(challenge, team)
    assert (row.total_units, row.members, row.per_member) == (pytest.approx(16), 2, pytest.approx(8))
    teams.leave(bob, team)
    row = _row(challenge, team)
    assert (row.total_units, row.members) == (pytest.approx(10), 1)
    assert reconciliation.run() == []


def test_leaving_the_challenge_leaves_the_team_total(challenge, resident):
    """A member who leaves the challenge no longer counts for the team, nor as an active member."""
    ada = resident()
    team = _team(ada, "Die Radler")
    _score(challenge, ada, 12)
    participation.leave(challenge, ada, now=NOW)
    row = _row(challenge, team)
    assert (row.total_units, row.members) == (pytest.approx(0), 0)
    assert reconciliation.run() == []


def test_a_sub_team_member_counts_for_the_parent_too(challenge, resident):
    """The school's class 5b: its members' scores are in the class's total and in the school's."""
    head, pupil = resident(), resident()
    school = _team(head, "Gesamtschule Nord", kind="school")
    klasse = teams.found_sub_team(head, school, "Klasse 5b", None, False)
    assert klasse.kind == school.kind and klasse.parent_id == school.id
    teams.join_by_code(pupil, klasse.invite_code)
    _score(challenge, pupil, 8)
    _score(challenge, head, 2)
    assert (_row(challenge, klasse).total_units, _row(challenge, klasse).members) == (pytest.approx(8), 1)
    assert (_row(challenge, school).total_units, _row(challenge, school).members) == (pytest.approx(10), 2)
    assert reconciliation.run() == []


def test_only_the_captain_founds_sub_teams_one_level_deep(resident):
    """A member cannot found a sub-team; a sub-team cannot have sub-teams."""
    head, teacher = resident(), resident()
    school = _team(head, "Grundschule Süd", kind="school")
    _members(school, [teacher])
    with pytest.raises(teams.NotCaptain):
        teams.found_sub_team(teacher, school, "Klasse 1a", None, False)
    klasse = teams.found_sub_team(head, school, "Klasse 1a", None, False)
    with pytest.raises(teams.SubTeamTooDeep):
        teams.found_sub_team(head, klasse, "Gruppe A", None, False)


def test_the_captain_hands_over_to_a_sub_team_member_who_moves_into_the_parent(challenge, resident):
    """The new captain leaves the class for the school: the class's total loses their score, the school keeps it."""
    head, pupil = resident(), resident()
    school = _team(head, "Realschule West", kind="school")
    klasse = teams.found_sub_team(head, school, "Klasse 9c", None, False)
    teams.join_by_code(pupil, klasse.invite_code)
    _score(challenge, pupil, 5)
    with pytest.raises(teams.CaptainMustHandOver):
        teams.leave(head, school)
    teams.hand_over(head, school, pupil.id)
    assert teams.is_captain(school, pupil) and teams.membership_of(pupil).team_id == school.id
    assert (_row(challenge, klasse).total_units, _row(challenge, klasse).members) == (pytest.approx(0), 0)
    assert (_row(challenge, school).total_units, _row(challenge, school).members) == (pytest.approx(5), 1)
    assert reconciliation.run() == []


def _ranked_field(challenge, resident, teams_scores: dict[str, list[float]], approve=True):
    """Teams named as the keys, their members scoring the listed km each."""
    made = {}
    for name, scores in teams_scores.items():
        people = [resident() for _ in scores]
        made[name] = _team(people[0], name, approve=approve)
        _members(made[name], people[1:])
        for person, km in zip(people, scores, strict=True):
            _score(challenge, person, km)
    return made


def test_a_family_of_three_beats_a_company_per_member_but_not_by_total(challenge, resident):
    """Per member the small team wins; by total the big one; teams under 3 members taking part are not ranked."""
    _ranked_field(challenge, resident, {
        "Familie Kaya": [20, 20, 20], "Stadtwerke": [10] * 8, "Zu zweit": [90, 90],
    })  # fmt: skip
    per_member = team_board.board(challenge, None, Order.PER_MEMBER)
    assert [(e.rank, e.name, e.members) for e in per_member.entries] == [(1, "Familie Kaya", 3), (2, "Stadtwerke", 8)]
    total = team_board.board(challenge, None, Order.TOTAL)
    assert [(e.rank, e.name, e.total) for e in total.entries] == [(1, "Stadtwerke", 80), (2, "Familie Kaya", 60)]
    assert per_member.teams == 2 and team_board.too_small(challenge) == 1


def test_ties_share_a_rank_and_skip_the_next_newest_first(challenge, resident):
    """Two teams with the same score per member share place 1, the next is 3rd (1, 1, 3), the newer tie first; on a
    second page the first rank is counted, not assumed."""
    made = _ranked_field(challenge, resident, {"Alpha": [3, 3, 3], "Beta": [1, 2, 6], "Gamma": [1, 1, 1]})
    board = team_board.board(challenge, None, Order.PER_MEMBER)
    assert [(e.rank, e.name) for e in board.entries] == [(1, "Beta"), (1, "Alpha"), (3, "Gamma")]
    second = team_board.board(challenge, None, Order.PER_MEMBER, page_number=2, per_page=1)
    assert [(e.rank, e.name) for e in second.entries] == [(1, "Alpha")]
    third = team_board.board(challenge, None, Order.PER_MEMBER, page_number=3, per_page=1)
    assert [(e.rank, e.name) for e in third.entries] == [(3, "Gamma")]
    assert made["Alpha"].id < made["Beta"].id


def test_only_approved_teams_appear_and_the_viewer_finds_their_team(challenge, resident):
    """A pending or hidden team is on no public board; a member sees their team's line marked."""
    made = _ranked_field(challenge, resident, {"Offen": [4, 4, 4], "Wartet": [9, 9, 9]}, approve=False)
    teams.moderate(made["Offen"], TeamStatus.APPROVED)
    teams.moderate(made["Wartet"], TeamStatus.HIDDEN)
    member = teams.members(made["Offen"])[1].user
    board = team_board.board(challenge, member, Order.PER_MEMBER)
    assert [e.name for e in board.entries] == ["Offen"]
    assert board.mine is not None and board.mine.rank == 1 and board.entries[0].yours


def test_sub_teams_are_ranked_inside_their_parent(challenge, resident):
    """The classes of a school on the school's board; the school itself on the main board with all its members."""
    head = resident()
    school = _team(head, "Gymnasium Mitte", kind="school")
    classes = {}
    for name, scores in (("5a", [1, 1, 1]), ("5b", [2, 2, 2])):
        classes[name] = teams.found_sub_team(head, school, name, None, False)
        teams.moderate(classes[name], TeamStatus.APPROVED)
        for km in scores:
            pupil = resident()
            teams.join_by_code(pupil, classes[name].invite_code)
            _score(challenge, pupil, km)
    inside = team_board.board(challenge, None, Order.PER_MEMBER, parent=team_board.get_parent(school.id))
    assert [(e.rank, e.name) for e in inside.entries] == [(1, "5b"), (2, "5a")]
    main = team_board.board(challenge, None, Order.TOTAL)
    assert [(e.name, e.members, e.total) for e in main.entries] == [("Gymnasium Mitte", 6, pytest.approx(9))]


def test_a_challenge_that_does_not_rank_teams_has_no_team_board(make_challenge):
    """The board is there only when the manager switched it on."""
    challenge = make_challenge(category=Category.MOBILITY)
    with pytest.raises(errors.NoTeamRanking):
        team_board.get_challenge(challenge.id, None)


def test_the_scores_check_finds_and_repairs_team_totals(challenge, resident):
    """A team total changed behind the app's back is reported and set back to what its members add up to."""
    ada = resident()
    team = _team(ada, "Nachbarn")
    _score(challenge, ada, 7)
    row = _row(challenge, team)
    row.total_units, row.members = 100.0, 5
    db.session.flush()
    found = reconciliation.run(fix=True)
    assert {d.column for d in found} >= {"total_units", "members"}
    row = _row(challenge, team)
    assert (row.total_units, row.members, row.per_member) == (pytest.approx(7), 1, pytest.approx(7))
    assert reconciliation.run() == []


def test_the_captain_sees_only_contributions_members_chose_to_show(challenge, resident):
    """Off by default; once two members show theirs the captain sees those two; with exactly one other member
    keeping theirs private nothing is shown, since the total minus the rest would give it away."""
    captain, ann, ben, cem = resident(), resident(), resident(), resident()
    team = _team(captain, "Kollegium")
    _members(team, [ann, ben, cem])
    for person, km in ((captain, 1), (ann, 2), (ben, 3), (cem, 4)):
        _score(challenge, person, km)
    rows, complete = team_board.contributions(challenge, team, captain.id)
    assert complete and {r.pseudonym: r.score for r in rows if r.user_id != captain.id} == {
        ann.pseudonym: None, ben.pseudonym: None, cem.pseudonym: None}  # fmt: skip
    teams.set_shows_contribution(ann, team, True)
    rows, complete = team_board.contributions(challenge, team, captain.id)
    assert complete and {r.user_id: r.score for r in rows}[ann.id] == pytest.approx(2)
    teams.set_shows_contribution(ben, team, True)
    rows, complete = team_board.contributions(challenge, team, captain.id)
    assert not complete and all(r.score is None for r in rows)


def test_deleting_an_account_takes_its_score_out_of_the_team(challenge, resident):
    """A member who deletes their account leaves the challenge and the team: the team's total and head count
    drop, and the scores check still finds nothing."""
    from privacy import services as privacy
    from tests.conftest import PASSWORD

    ada, bob = resident(), resident()
    team = _team(ada, "Hausgemeinschaft")
    _members(team, [bob])
    _score(challenge, ada, 5)
    _score(challenge, bob, 9)
    privacy.delete_account(bob, password=PASSWORD, now=NOW)
    row = _row(challenge, team)
    assert (row.total_units, row.members) == (pytest.approx(5), 1)
    assert reconciliation.run() == []
