"""Domain errors of leaderboards."""

from flask_babel import lazy_gettext as _l

from app import errors as base
from app.errors import DomainError


class LeaderboardError(DomainError):
    """A rule of leaderboards was broken."""

    status = 422


class NoNeighbourhoodRanking(base.NotFound, LeaderboardError):
    message = _l("This challenge does not rank neighbourhoods.")


class NoTeamRanking(base.NotFound, LeaderboardError):
    message = _l("This challenge does not rank teams.")


class NoSuchTeam(base.NotFound, LeaderboardError):
    message = _l("There is no such team with sub-teams to rank.")
