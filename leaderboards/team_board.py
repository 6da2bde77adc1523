"""The team ranking of a challenge that ranks teams: by score per active member (so a family of three can beat
a company of three hundred) or by total, read from the kept team totals (teams.models.TeamScore).

Teams compete when a manager approved them (a sub-team: and its parent) and at least MIN_MEMBERS of their
members take part, as neighbourhoods need MIN_PARTICIPANTS. The main board ranks teams of their own;
a team's sub-teams are ranked among themselves on their parent's board. Ranks are standard competition
ranking (1, 2, 2, 4) as on every board (leaderboards.ranking): a page comes in (score, id) order from the
score index, its first rank is 1 + the teams scoring higher, ties share a rank and are listed newest first.
Nothing loads the field into Python: a page, a count and, for a viewer in a team, one more count.
"""

import math
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select, true
from sqlalchemy.orm import aliased

from accounts.models import User
from app.extensions import db
from challenges import errors as challenge_errors
from challenges import results, visibility
from challenges.models import Challenge, Enrollment
from leaderboards import errors
from leaderboards.team_totals import teams_of
from teams.models import MemberState, Team, TeamMember, TeamScore, TeamStatus

MIN_MEMBERS = results.MIN_PARTICIPANTS  # the same rule as neighbourhoods: fewer would tell on individuals
PER_PAGE = 50
MAX_PAGE = 1_000_000


class Order(StrEnum):
    PER_MEMBER = "per_member"
    TOTAL = "total"


@dataclass(frozen=True)
class TeamEntry:
    """One team's line: its place, name, score per member, total and active members; `yours` marks the viewer's."""

    rank: int
    team_id: int
    name: str
    per_member: float
    total: float
    members: int
    yours: bool


@dataclass(frozen=True)
class TeamBoard:
    """One page of a team ranking, the number of teams ranked and, for a viewer in a ranked team, its line."""

    entries: list[TeamEntry]
    mine: TeamEntry | None
    teams: int
    page: int
    per_page: int
    order: Order
    parent: Team | None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.teams / self.per_page))


def ranks_teams(challenge: Challenge) -> bool:
    return bool(challenge.ranks_teams)


def get_challenge(challenge_id: int, viewer: User | None) -> Challenge:
    """A challenge the viewer may see whose boards rank teams."""
    challenge = visibility.get_visible_challenge(challenge_id, viewer)
    if not ranks_teams(challenge):
        raise errors.NoTeamRanking()
    return challenge


def get_public_challenge(challenge_id: int) -> Challenge:
    """A published challenge that ranks teams, for anonymous readers."""
    challenge = visibility.get_challenge(challenge_id)
    if not visibility.is_public(challenge):
        raise challenge_errors.NotFound()
    if not ranks_teams(challenge):
        raise errors.NoTeamRanking()
    return challenge


def get_parent(team_id: int) -> Team:
    """A public team with sub-teams' board: approved, and a team of its own (not a sub-team)."""
    team = db.session.get(Team, team_id)
    if team is None or team.status != TeamStatus.APPROVED or team.parent_id is not None:
        raise errors.NoSuchTeam()
    return team


def _score(order: Order):
    return TeamScore.per_member if order == Order.PER_MEMBER else TeamScore.total_units


def _competing(challenge: Challenge, parent: Team | None) -> tuple:
    """The conditions on TeamScore ⨝ Team of the teams competing on this board."""
    where = (TeamScore.challenge_id == challenge.id, TeamScore.members >= MIN_MEMBERS,
             Team.status == TeamStatus.APPROVED)  # fmt: skip
    return (*where, Team.parent_id.is_(None) if parent is None else Team.parent_id == parent.id)


def _select(*columns):
    return select(*columns).select_from(TeamScore).join(Team, Team.id == TeamScore.team_id)


def _count(challenge: Challenge, parent: Team | None, *conditions) -> int:
    return db.session.scalar(_select(func.count()).where(*_competing(challenge, parent), *conditions))


def _columns(order: Order):
    return (TeamScore.id, TeamScore.team_id, Team.name, TeamScore.per_member, TeamScore.total_units,
            TeamScore.members, _score(order).label("score"))  # fmt: skip


def _entry(row, rank: int, mine: tuple[int, ...]) -> TeamEntry:
    return TeamEntry(rank=rank, team_id=row.team_id, name=row.name, per_member=row.per_member,
                     total=row.total_units, members=row.members, yours=row.team_id in mine)  # fmt: skip


def page(challenge: Challenge, order: Order, parent: Team | None, offset: int, limit: int, mine=()) -> list[TeamEntry]:
    """`limit` teams from position `offset`, best first, each with its rank (ties newest first, as everywhere)."""
    score = _score(order)
    rows = db.session.execute(
        _select(*_columns(order)).where(*_competing(challenge, parent))
        .order_by(score.desc(), TeamScore.id.desc()).limit(limit).offset(offset)
    ).all()  # fmt: skip
    entries: list[TeamEntry] = []
    for index, row in enumerate(rows):
        if entries and row.score == rows[index - 1].score:
            rank = entries[-1].rank
        elif index == 0 and offset > 0:
            rank = 1 + _count(challenge, parent, score > row.score)
        else:
            rank = offset + index + 1
        entries.append(_entry(row, rank, mine))
    return entries


def viewer_teams(viewer: User | None) -> tuple[int, ...]:
    """The teams the viewer counts for (their team and its parent), to mark on the boards."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return ()
    return teams_of(viewer.id)


def _mine(challenge: Challenge, order: Order, parent: Team | None, mine: tuple[int, ...]) -> TeamEntry | None:
    """The viewer's team's line on this board, if it competes here: its rank is 1 + the teams scoring higher."""
    if not mine:
        return None
    row = db.session.execute(
        _select(*_columns(order)).where(*_competing(challenge, parent), TeamScore.team_id.in_(mine))
    ).first()
    if row is None:
        return None
    return _entry(row, 1 + _count(challenge, parent, _score(order) > row.score), mine)


def board(challenge: Challenge, viewer: User | None, order: Order = Order.PER_MEMBER, parent: Team | None = None,
          page_number: int = 1, per_page: int = PER_PAGE) -> TeamBoard:  # fmt: skip
    """A page of the challenge's team ranking (or of one team's sub-teams), and the viewer's team's line."""
    page_number = min(max(page_number, 1), MAX_PAGE)
    mine = viewer_teams(viewer)
    entries = page(challenge, order, parent, (page_number - 1) * per_page, per_page, mine)
    return TeamBoard(entries=entries, mine=_mine(challenge, order, parent, mine), teams=_count(challenge, parent),
                     page=page_number, per_page=per_page, order=order, parent=parent)  # fmt: skip


def too_small(challenge: Challenge, parent: Team | None = None) -> int:
    """Approved teams on this board taking part with fewer than MIN_MEMBERS members: listed as a number only."""
    where = (TeamScore.challenge_id == challenge.id, TeamScore.members > 0, TeamScore.members < MIN_MEMBERS,
             Team.status == TeamStatus.APPROVED,
             Team.parent_id.is_(None) if parent is None else Team.parent_id == parent.id)  # fmt: skip
    return db.session.scalar(_select(func.count()).where(*where))


def team_scores(team: Team) -> list[tuple[Challenge, TeamScore]]:
    """A team's totals in the published challenges that rank teams, newest first (for its members' page)."""
    query = (
        select(Challenge, TeamScore).join(TeamScore, TeamScore.challenge_id == Challenge.id)
        .where(TeamScore.team_id == team.id, Challenge.ranks_teams.is_(True), Challenge.published_at.is_not(None))
        .order_by(Challenge.id.desc())
    )  # fmt: skip
    return [(challenge, score) for challenge, score in db.session.execute(query)]


def rank_of(challenge: Challenge, team: Team, score: TeamScore) -> int | None:
    """The team's place per member on its board (the main one, or its parent's), or None when it does not compete."""
    parent = aliased(Team)
    competes = team.status == TeamStatus.APPROVED and score.members >= MIN_MEMBERS
    if team.parent_id is not None:
        approved = db.session.scalar(select(parent.status).where(parent.id == team.parent_id))
        competes = competes and approved == TeamStatus.APPROVED
    if not competes:
        return None
    return 1 + _count(challenge, team.parent, TeamScore.per_member > score.per_member)


@dataclass(frozen=True)
class Contribution:
    """A member's line for their captain: the score only when the member shows it (and it can be shown)."""

    user_id: int
    pseudonym: str
    team: str
    shows: bool
    score: float | None


def contributions(challenge: Challenge, team: Team, captain_id: int) -> tuple[list[Contribution], bool]:
    """The members of a team and its sub-teams, for the captain, with the scores of those who show them.

    Withheld (every score None, and False returned) while exactly one other member taking part keeps theirs
    private: the team's total minus the scores shown would be that member's score.
    """
    teams = select(Team.id).where((Team.id == team.id) | (Team.parent_id == team.id))
    rows = db.session.execute(
        select(TeamMember.user_id, User.pseudonym, Team.name, TeamMember.shows_contribution, Enrollment.score)
        .join(User, User.id == TeamMember.user_id).join(Team, Team.id == TeamMember.team_id)
        .outerjoin(Enrollment, (Enrollment.user_id == TeamMember.user_id) & (Enrollment.challenge_id == challenge.id)
                   & (Enrollment.active == true()))
        .where(TeamMember.team_id.in_(teams), TeamMember.state == MemberState.MEMBER)
        .order_by(User.pseudonym)
    ).all()  # fmt: skip
    private = sum(1 for r in rows if r.score is not None and not r.shows_contribution and r.user_id != captain_id)
    shown = private != 1
    return [
        Contribution(r.user_id, r.pseudonym, r.name, r.shows_contribution,
                     r.score if shown and (r.shows_contribution or r.user_id == captain_id) else None)
        for r in rows
    ], shown  # fmt: skip
