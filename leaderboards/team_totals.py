"""Teams' running totals per challenge (teams.models.TeamScore), kept in the transaction of every change.

Two things move a team's total: a member's score or state changing in a challenge (`enrollment_changed`,
sent while the change holds the challenge's row and the resident: challenges.totals.hold), and a
resident starting or stopping to count for a team (`team_membership_changed`: joining, leaving, being
removed, moving into a parent as its captain). A resident in a sub-team counts for the sub-team and its
parent. Team totals are kept for every challenge, whether it ranks teams or not, so a manager can switch
the team ranking on at any time; a membership change moves the resident's scores in the challenges that
are not over (closed and cancelled challenges keep the totals they ended with, as past statistics).

Lock order (app.locks): a membership change locks the challenges the resident takes part in (ascending
id), then the resident, then reads their scores afresh and writes the team rows; a score change already
holds its challenge and resident. The team rows come last, all in one statement in (challenge, team)
order, so two transactions never wait for each other in a circle. Every total is added to in the
database (`x = x + :d`); `per_member` is computed in the same statement from the sums it adds to.
"""

from collections import defaultdict

from sqlalchemy import case, func, select, true

from app.extensions import db
from app.locks import lock_resident
from app.reconciliation import Check, Difference, same
from app.signals import EnrollmentChanged, TeamMembershipChanged
from app.upserts import dialect_insert, upsert_adding
from challenges.models import Challenge, Enrollment, Status
from challenges.totals import hold_challenges
from teams.models import MemberState, Team, TeamMember, TeamScore

# A membership change moves the resident's scores in these challenges; the others are over.
NOT_OVER = (Status.DRAFT, Status.SCHEDULED, Status.ACTIVE)


def teams_of(user_id: int) -> tuple[int, ...]:
    """The teams a resident counts for now: their team and its parent, if they are a member (not a request)."""
    row = db.session.execute(
        select(Team.id, Team.parent_id).join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == user_id, TeamMember.state == MemberState.MEMBER)
    ).first()  # fmt: skip
    if row is None:
        return ()
    return (row.id,) if row.parent_id is None else (row.id, row.parent_id)


def add(deltas: dict[tuple[int, int], tuple[float, int]]) -> None:
    """Add (units, members) to each (challenge, team)'s row in one upsert, rows in key order; zeros are left out."""
    rows = [
        {"challenge_id": challenge_id, "team_id": team_id, "total_units": units, "members": members,
         "per_member": units / members if members > 0 else 0.0}
        for (challenge_id, team_id), (units, members) in sorted(deltas.items())
        if units or members
    ]  # fmt: skip
    if not rows:
        return
    keys = ("challenge_id", "team_id")
    upsert_adding(TeamScore.__table__, rows, keys, "total_units", "members", derived=(("per_member", _per_member),))


def _per_member(sums: dict) -> object:
    """The score per member, from the summed total and head count (0 for a team with none left)."""
    return case((sums["members"] > 0, sums["total_units"] / sums["members"]), else_=0.0)


def score_changed(changed: EnrollmentChanged) -> None:
    """A participant's score or state changed: add the difference to their teams' totals (and head counts)."""
    before = changed.score_before if changed.active_before else 0.0
    after = changed.score if changed.active else 0.0
    joined = int(changed.active) - int(changed.active_before)
    if before == after and not joined:
        return
    teams = teams_of(changed.user_id)
    add({(changed.challenge_id, team_id): (after - before, joined) for team_id in teams})


def _scores(user_id: int) -> list[tuple[int, float]]:
    """(challenge, score) of the resident's active enrollments in challenges that are not over."""
    query = (
        select(Enrollment.challenge_id, Enrollment.score)
        .join(Challenge, Challenge.id == Enrollment.challenge_id)
        .where(Enrollment.user_id == user_id, Enrollment.active == true(), Challenge.status.in_(NOT_OVER))
        .execution_options(populate_existing=True)
    )
    return [(challenge_id, score) for challenge_id, score in db.session.execute(query)]


def membership_changed(changed: TeamMembershipChanged) -> None:
    """Move the resident's scores from the teams they counted for to those they count for now.

    Locks first (the challenges, then the resident), then reads the scores, so a score change at the
    same moment either comes before (and is moved with the rest) or after (and finds the new team).
    A challenge the resident joined between the first read and the locks is moved too: its team rows
    are still written last, in key order.
    """
    hold_challenges(challenge_id for challenge_id, _score in _scores(changed.user_id))
    lock_resident(changed.user_id)
    deltas: dict[tuple[int, int], list] = defaultdict(lambda: [0.0, 0])
    for challenge_id, score in _scores(changed.user_id):
        for team_id, sign in [*((t, -1) for t in changed.teams_before), *((t, 1) for t in changed.teams_after)]:
            deltas[(challenge_id, team_id)][0] += sign * score
            deltas[(challenge_id, team_id)][1] += sign
    add({key: (units, members) for key, (units, members) in deltas.items()})


# Reconciliation (`flask scores check`) ---------------------------------------------------------------


def _recomputed(challenge_ids=None):
    """Per (challenge, team) of challenges not over: the active members' scores and how many they are,
    a sub-team's members counted for the sub-team and for its parent."""
    counted = (
        select(TeamMember.user_id, Team.id.label("team_id")).join(Team, Team.id == TeamMember.team_id)
        .where(TeamMember.state == MemberState.MEMBER)
        .union_all(
            select(TeamMember.user_id, Team.parent_id).join(Team, Team.id == TeamMember.team_id)
            .where(TeamMember.state == MemberState.MEMBER, Team.parent_id.is_not(None))
        )
    ).subquery()  # fmt: skip
    query = (
        select(Enrollment.challenge_id, counted.c.team_id, func.sum(Enrollment.score), func.count())
        .join(counted, counted.c.user_id == Enrollment.user_id)
        .join(Challenge, Challenge.id == Enrollment.challenge_id)
        .where(Enrollment.active == true(), Challenge.status.in_(NOT_OVER))
        .group_by(Enrollment.challenge_id, counted.c.team_id)
    )
    if challenge_ids is not None:
        query = query.where(Enrollment.challenge_id.in_(challenge_ids))
    return {(c, t): (float(units or 0.0), int(n)) for c, t, units, n in db.session.execute(query)}


def _kept(challenge_ids=None):
    query = (
        select(TeamScore.challenge_id, TeamScore.team_id, TeamScore.total_units, TeamScore.members,
               TeamScore.per_member)
        .join(Challenge, Challenge.id == TeamScore.challenge_id)
        .where(Challenge.status.in_(NOT_OVER))
    )  # fmt: skip
    if challenge_ids is not None:
        query = query.where(TeamScore.challenge_id.in_(challenge_ids))
    return {(c, t): (units, n, per) for c, t, units, n, per in db.session.execute(query)}


def find() -> list[Difference]:
    """Teams whose totals in a challenge that is not over differ from what their members' scores add up to."""
    recomputed, kept = _recomputed(), _kept()
    found = []
    for key in sorted(set(recomputed) | set(kept)):
        units, members = recomputed.get(key, (0.0, 0))
        was_units, was_members, was_per = kept.get(key, (0.0, 0, 0.0))
        per = units / members if members > 0 else 0.0
        what = f"team {key[1]} in challenge {key[0]}"
        for column, was, now in (("total_units", was_units, units), ("members", was_members, members),
                                 ("per_member", was_per, per)):  # fmt: skip
            if not same(was, now):
                found.append(Difference(what, column, was, now, key[0], key=key))
    return found


def repair(differences: list[Difference]) -> None:
    """Set the team totals of the challenges found to what their members' scores add up to."""
    challenge_ids = sorted({d.challenge_id for d in differences})
    hold_challenges(challenge_ids)
    recomputed, kept = _recomputed(challenge_ids), _kept(challenge_ids)
    table = TeamScore.__table__
    for challenge_id, team_id in sorted(set(recomputed) | set(kept)):
        units, members = recomputed.get((challenge_id, team_id), (0.0, 0))
        values = {"total_units": units, "members": members, "per_member": units / members if members else 0.0}
        statement = dialect_insert(table).values(challenge_id=challenge_id, team_id=team_id, **values)
        db.session.execute(
            statement.on_conflict_do_update(index_elements=[table.c.challenge_id, table.c.team_id], set_=values)
        )


CHECKS = (Check("team totals", find, repair),)
