"""The personal data teams hold about a resident: their team membership (or request) and the reports they sent.

One of the domains' `personal_data` modules that privacy/ asks for "download my data" and "delete my
account" (the list and its order: privacy/holders.py).
"""

from datetime import datetime

from sqlalchemy import select

from accounts.models import User
from app.extensions import db
from app.personal_data import ExportLinks, as_json, delete_rows
from teams import services
from teams.models import Team, TeamMember, TeamReport


def export(user: User, links: ExportLinks) -> dict[str, str]:
    """The resident's team (name, their role in it, since when) and the reports they sent about teams."""
    return {"teams.json": as_json({"membership": _membership(user), "reports": _reports(user)})}


def _membership(user: User) -> dict | None:
    row = services.membership_of(user)
    if row is None:
        return None
    return {"team": row.team.name, "state": row.state, "captain": row.is_captain, "since": row.joined_at}


def _reports(user: User) -> list[dict]:
    query = (select(Team.name, TeamReport.reason, TeamReport.created_at).join(Team, Team.id == TeamReport.team_id)
             .where(TeamReport.user_id == user.id).order_by(TeamReport.created_at))  # fmt: skip
    return [{"team": name, "reason": reason, "sent_at": at} for name, reason, at in db.session.execute(query)]


def erase(user: User, now: datetime) -> dict[str, int]:
    """Leave the team: a captain hands the captaincy to the longest-standing member, or the team goes with its last
    member; the reports go too (a manager has seen or will see the team itself)."""
    row = services.membership_of(user)
    teams_ended = 0
    if row is not None and row.state == "member":
        services.leave_quietly(row)  # out of the team's totals while the team is still there
    if row is not None and row.is_captain:
        successor = db.session.scalar(select(TeamMember).where(
            TeamMember.team_id == row.team_id, TeamMember.user_id != user.id, TeamMember.state == "member",
        ).order_by(TeamMember.joined_at, TeamMember.id))  # fmt: skip
        if successor is None:
            teams_ended = delete_rows(Team, Team.id == row.team_id)
        else:
            successor.is_captain = True
    return {
        "teams_ended": teams_ended,
        "team_memberships": delete_rows(TeamMember, TeamMember.user_id == user.id),
        "team_reports": delete_rows(TeamReport, TeamReport.user_id == user.id),
    }
