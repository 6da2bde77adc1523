"""Rules for teams: founding, joining by code or by request, leaving, captaincy, and the managers' approval.

Every function takes the acting resident and plain values, flushes and leaves the commit to the request.
Acting on someone else's team is refused here (`NotCaptain`), so a page and the API cannot differ.

Sub-teams: the captain of a team founds its sub-teams (one level deep) and is their captain too; a
resident joins a sub-team by its own code (or request) and counts for the parent as well. Whenever a
resident starts or stops counting for a team, `team_membership_changed` says so (after the flush), and
leaderboards moves their scores between the teams' totals in the same transaction.
"""

import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts.models import Role, User
from app.extensions import db
from app.signals import TeamMembershipChanged, team_membership_changed
from teams.errors import (
    AlreadyInTeam,
    AlreadyReported,
    CaptainMustHandOver,
    NameMissing,
    NotAMember,
    NotCaptain,
    SubTeamTooDeep,
    TeamClosed,
    TeamNameTaken,
    TeamNotFound,
    WrongCode,
)
from teams.models import MemberState, Team, TeamKind, TeamMember, TeamReport, TeamStatus

# No 0/O or 1/I/L: a code read aloud in a classroom must be typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """A code as typed (spaces, dashes, lower case) in the form it is stored."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _add_member(row: TeamMember) -> TeamMember:
    """Insert a member row; the unique resident column refuses a second team even for two requests at once."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise AlreadyInTeam() from None
    if row.state == MemberState.MEMBER:
        _announce(row.user_id, (), counted_for(db.session.get(Team, row.team_id)))
    return row


def counted_for(team: Team | None) -> tuple[int, ...]:
    """The teams a member of `team` counts for: the team itself and, for a sub-team, its parent."""
    if team is None:
        return ()
    return (team.id,) if team.parent_id is None else (team.id, team.parent_id)


def _announce(user_id: int, before: tuple[int, ...], after: tuple[int, ...]) -> None:
    """Tell the standings a resident now counts for other teams (flushed first, so listeners read the change)."""
    if set(before) == set(after):
        return
    db.session.flush()
    team_membership_changed.send(TeamMembershipChanged(user_id=user_id, teams_before=before, teams_after=after))


def _check_name_free(name: str, exclude_id: int | None = None) -> None:
    if not name.strip():
        raise NameMissing()
    query = select(Team.id).where(func.lower(Team.name) == name.strip().lower())
    if exclude_id is not None:
        query = query.where(Team.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise TeamNameTaken()


def membership_of(user: User) -> TeamMember | None:
    """The resident's one team row (a member, or a request waiting for the captain), if any."""
    return db.session.scalar(select(TeamMember).where(TeamMember.user_id == user.id))


def found_team(founder: User, name: str, kind: TeamKind | str, description: str | None, is_open: bool) -> Team:
    """Found a team with `founder` as captain; it waits for a manager's approval before it shows publicly."""
    if membership_of(founder) is not None:
        raise AlreadyInTeam()
    _check_name_free(name)
    team = Team(name=name.strip(), kind=TeamKind(kind), description=(description or "").strip() or None,
                is_open=is_open, invite_code=_new_code(), status=TeamStatus.PENDING)  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(team)
    except IntegrityError:  # a same-named team founded at the same moment
        raise TeamNameTaken() from None
    _add_member(TeamMember(team_id=team.id, user_id=founder.id, state=MemberState.MEMBER, is_captain=True))
    return team


def get_team(team_id: int) -> Team:
    return db.session.get(Team, team_id) or _raise(TeamNotFound())


def _raise(error):
    raise error


def is_public(team: Team) -> bool:
    """Approved, and for a sub-team its parent approved too: only then does a team show to everybody."""
    return team.status == TeamStatus.APPROVED and (team.parent is None or team.parent.status == TeamStatus.APPROVED)


def visible_team(team_id: int, viewer: User | None) -> Team:
    """A team as `viewer` may see it: public ones to everybody, others only to their members (of the team, its
    parent or its sub-teams) and managers."""
    team = get_team(team_id)
    if is_public(team) or _is_manager(viewer):
        return team
    if viewer is not None and getattr(viewer, "is_authenticated", False) and belongs(team, viewer):
        return team
    raise TeamNotFound()


def belongs(team: Team, user: User) -> bool:
    """Whether `user` is in the team, its parent or one of its sub-teams (a request does not count)."""
    mine = membership_of(user)
    if mine is None or mine.state != MemberState.MEMBER:
        return False
    if team.id in (mine.team_id, mine.team.parent_id) or team.parent_id == mine.team_id:
        return True
    return mine.team_id in {sub.id for sub in team.sub_teams}


def _is_manager(viewer) -> bool:
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.has_role(Role.MANAGER))


def public_teams() -> list[Team]:
    """The approved teams (not sub-teams: their parents' pages list them), alphabetically."""
    query = select(Team).where(Team.status == TeamStatus.APPROVED, Team.parent_id.is_(None)).order_by(Team.name)
    return list(db.session.scalars(query))


def sub_teams(team: Team, viewer: User | None) -> list[Team]:
    """A team's sub-teams as `viewer` may see them: the approved ones, or all to the team's members and managers."""
    everyone = _is_manager(viewer) or (viewer is not None and getattr(viewer, "is_authenticated", False)
                                       and belongs(team, viewer))  # fmt: skip
    return [sub for sub in team.sub_teams if everyone or sub.status == TeamStatus.APPROVED]


def found_sub_team(captain: User, parent: Team, name: str, description: str | None, is_open: bool) -> Team:
    """The captain of a team founds a sub-team of it (a class, a department): same kind, its own name and code,
    one level deep. The captain runs it; it waits for a manager's approval before it shows publicly."""
    _require_captain(parent, captain)
    if parent.parent_id is not None:
        raise SubTeamTooDeep()
    _check_name_free(name)
    team = Team(name=name.strip(), kind=parent.kind, description=(description or "").strip() or None,
                is_open=is_open, invite_code=_new_code(), status=TeamStatus.PENDING, parent_id=parent.id)  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(team)
    except IntegrityError:
        raise TeamNameTaken() from None
    return team


def set_shows_contribution(user: User, team: Team, shows: bool) -> TeamMember:
    """A member's "show my contribution to my team" (off by default): whether the captain sees their scores."""
    row = _member_row(team, user)
    if row is None or row.state != MemberState.MEMBER:
        raise NotAMember()
    row.shows_contribution = bool(shows)
    db.session.flush()
    return row


def members(team: Team) -> list[TeamMember]:
    """The team's members (not the pending requests), captain first, then by pseudonym."""
    query = (select(TeamMember).join(User, User.id == TeamMember.user_id)
             .where(TeamMember.team_id == team.id, TeamMember.state == MemberState.MEMBER)
             .order_by(TeamMember.is_captain.desc(), User.pseudonym))  # fmt: skip
    return list(db.session.scalars(query))


def requests(team: Team) -> list[TeamMember]:
    """Requests to join, oldest first."""
    query = (select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.state == MemberState.REQUESTED)
             .order_by(TeamMember.joined_at, TeamMember.id))  # fmt: skip
    return list(db.session.scalars(query))


def member_count(team: Team) -> int:
    """Members of the team itself (a parent's count leaves out its sub-teams' members)."""
    query = select(func.count()).where(TeamMember.team_id == team.id, TeamMember.state == MemberState.MEMBER)
    return db.session.scalar(query)


def everyone_count(team: Team) -> int:
    """Members of the team and of its sub-teams: everyone who counts for it."""
    teams = select(Team.id).where((Team.id == team.id) | (Team.parent_id == team.id))
    query = select(func.count()).where(TeamMember.team_id.in_(teams), TeamMember.state == MemberState.MEMBER)
    return db.session.scalar(query)


def _member_row(team: Team, user: User) -> TeamMember | None:
    return db.session.scalar(select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == user.id))


def is_captain(team: Team, user: User) -> bool:
    """The team's captain; a sub-team's captain is its parent's."""
    row = _member_row(team.parent or team, user)
    return bool(row and row.is_captain)


def _require_captain(team: Team, user: User) -> None:
    if not is_captain(team, user):
        raise NotCaptain()


def join_by_code(user: User, code: str) -> Team:
    """Join the team whose invitation code this is, at once: the code is the captain's invitation."""
    team = db.session.scalar(select(Team).where(Team.invite_code == normalise_code(code)))
    if team is None or team.status == TeamStatus.HIDDEN:
        raise WrongCode()
    _add_member(TeamMember(team_id=team.id, user_id=user.id, state=MemberState.MEMBER))
    return team


def ask_to_join(user: User, team: Team) -> TeamMember:
    """Ask to join an open, approved team; the captain accepts or declines."""
    if not is_public(team):
        raise TeamNotFound()
    if not team.is_open:
        raise TeamClosed()
    return _add_member(TeamMember(team_id=team.id, user_id=user.id, state=MemberState.REQUESTED))


def _row_in_state(team: Team, user_id: int, state: MemberState) -> TeamMember:
    """The team's row of `user_id` in `state`; anyone else is "not a member" to the captain."""
    query = select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == user_id,
                                     TeamMember.state == state)  # fmt: skip
    return db.session.scalar(query) or _raise(NotAMember())


def _request_of(team: Team, user_id: int) -> TeamMember:
    return _row_in_state(team, user_id, MemberState.REQUESTED)


def answer_request(captain: User, team: Team, user_id: int, accept: bool) -> None:
    """The captain accepts a request (the resident becomes a member) or declines it (the request goes)."""
    _require_captain(team, captain)
    row = _request_of(team, user_id)
    if accept:
        row.state = MemberState.MEMBER
        _announce(row.user_id, (), counted_for(team))
    else:
        db.session.delete(row)
    db.session.flush()


def leave(user: User, team: Team) -> None:
    """Leave a team (or withdraw a request). A captain hands over first, unless they are the last member:
    then the team goes with them."""
    row = _member_row(team, user) or _raise(NotAMember())
    if row.is_captain and everyone_count(team) > 1:
        raise CaptainMustHandOver()
    if row.state == MemberState.MEMBER:
        _announce(user.id, counted_for(team), ())
    if row.is_captain:
        db.session.delete(team)
    else:
        db.session.delete(row)
    db.session.flush()


def leave_quietly(row: TeamMember) -> None:
    """Take a member out of the standings before their row goes (erasing an account deletes it)."""
    _announce(row.user_id, counted_for(row.team), ())


def _member_of(team: Team, user_id: int, sub_teams: bool = False) -> TeamMember:
    """The team's member `user_id`; with `sub_teams`, a member of one of its sub-teams will do."""
    if not sub_teams:
        return _row_in_state(team, user_id, MemberState.MEMBER)
    teams = select(Team.id).where((Team.id == team.id) | (Team.parent_id == team.id))
    query = select(TeamMember).where(TeamMember.team_id.in_(teams), TeamMember.user_id == user_id,
                                     TeamMember.state == MemberState.MEMBER)  # fmt: skip
    return db.session.scalar(query) or _raise(NotAMember())


def hand_over(captain: User, team: Team, user_id: int) -> None:
    """Make another member (of the team or one of its sub-teams) the captain; the old captain stays a member.

    A sub-team's member who becomes captain moves into the parent team (a sub-team has no captain of its own).
    """
    team = team.parent or team
    _require_captain(team, captain)
    successor = _member_of(team, user_id, sub_teams=True)
    if successor.user_id == captain.id:
        return
    if successor.team_id != team.id:
        before = counted_for(successor.team)
        successor.team_id = team.id
        db.session.flush()
        db.session.expire(successor, ["team"])
        _announce(successor.user_id, before, counted_for(team))
    _member_row(team, captain).is_captain = False
    db.session.flush()  # one captain at a time, also for a reader between the two updates
    successor.is_captain = True
    db.session.flush()


def remove_member(captain: User, team: Team, user_id: int) -> None:
    """The captain removes a member (not themselves: they leave instead)."""
    _require_captain(team, captain)
    row = _member_of(team, user_id)
    if row.user_id == captain.id:
        raise CaptainMustHandOver()
    _announce(row.user_id, counted_for(team), ())
    db.session.delete(row)
    db.session.flush()


def report(user: User, team: Team, reason: str) -> TeamReport:
    """A resident reports a team's name or description as offensive; each resident once per team."""
    row = TeamReport(team_id=team.id, user_id=user.id, reason=reason.strip())
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise AlreadyReported() from None
    return row


# Managers ---------------------------------------------------------------------------------


def teams_to_moderate() -> list[tuple[Team, int]]:
    """Every team with its number of reports: pending and reported ones first, then by name."""
    reports = (select(TeamReport.team_id, func.count().label("reports")).group_by(TeamReport.team_id)).subquery()
    query = (select(Team, func.coalesce(reports.c.reports, 0)).outerjoin(reports, reports.c.team_id == Team.id)
             .order_by((Team.status == TeamStatus.PENDING).desc(), func.coalesce(reports.c.reports, 0).desc(),
                       Team.name))  # fmt: skip
    return [(team, count) for team, count in db.session.execute(query)]


def reports_of(team: Team) -> list[TeamReport]:
    return list(db.session.scalars(select(TeamReport).where(TeamReport.team_id == team.id)
                                   .order_by(TeamReport.created_at)))  # fmt: skip


def moderate(team: Team, status: TeamStatus | str, name: str | None = None) -> Team:
    """A manager approves or hides a team, optionally renaming it; approving clears the reports they answered."""
    if name and name.strip() != team.name:
        _check_name_free(name, exclude_id=team.id)
        team.name = name.strip()
    team.status = TeamStatus(status)
    if team.status == TeamStatus.APPROVED:
        db.session.execute(TeamReport.__table__.delete().where(TeamReport.team_id == team.id))
    db.session.flush()
    return team
