"""Domain errors of leaderboards."""

from flask_babel import lazy_gettext as _l

from app.accounts.errors import AccountError


class LeaderboardError(AccountError):
    """A rule of leaderboards was broken."""

    status = 422


class NoNeighbourhoodRanking(LeaderboardError):
    status = 404
    message = _l("This challenge does not rank neighbourhoods.")
