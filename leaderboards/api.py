"""JSON API of leaderboards: a challenge's ranking, its neighbourhoods and teams, and the season ranking.

Pages use `page` and `per_page` like every list of the API (totals in X-Pagination); the body is
an object holding the page's `entries` and `me`, the caller's own rank, so it can sit outside the page.
"""

from flask.views import MethodView

from app.pagination import Blueprint
from app.security import PUBLIC, serves
from app.security import viewer as current_viewer
from challenges import results
from leaderboards import caching, services, team_board
from leaderboards.models import Period
from leaderboards.schemas import (
    ChallengeLeaderboardSchema,
    NeighbourhoodLeaderboardSchema,
    SeasonArgumentsSchema,
    SeasonLeaderboardSchema,
    TeamArgumentsSchema,
    TeamLeaderboardSchema,
)

blp = Blueprint("api_leaderboards", __name__, url_prefix="/api/v1", description="Leaderboards")

# Public reads: anonymous visitors are welcome; logged-in ones also get their own rank.
OPTIONAL_AUTH = [{}, {"bearerAuth": []}, {"cookieAuth": []}]
NOT_MODIFIED = "Not modified: the ETag sent in If-None-Match still matches."


@blp.route("/challenges/<int:challenge_id>/leaderboard")
class ChallengeLeaderboard(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=OPTIONAL_AUTH)
    @blp.response(200, ChallengeLeaderboardSchema)
    @blp.paginate(per_page=services.PER_PAGE)
    def get(self, challenge_id, pagination_parameters):
        """A challenge's individual ranking by score, best first, with your own rank (`me`) once you take part.

        Ties share a rank and the next rank is skipped (1, 2, 2, 4). Residents appear by pseudonym;
        those hiding from listings appear with `pseudonym: null`. The neighbourhood ranking is at
        `/leaderboard/neighbourhoods`.
        """
        viewer = current_viewer()
        challenge = services.get_challenge(challenge_id, viewer)
        params = pagination_parameters
        board = services.challenge_board(challenge, viewer, params.page, params.page_size)
        params.item_count = board.participants
        return {"challenge_id": challenge.id, "participants": board.participants, "entries": board.entries,
                "me": board.me}  # fmt: skip


@blp.route("/challenges/<int:challenge_id>/leaderboard/neighbourhoods")
class NeighbourhoodLeaderboard(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=[{}])
    @blp.response(200, NeighbourhoodLeaderboardSchema)
    @blp.alt_response(304, description=NOT_MODIFIED)
    def get(self, challenge_id):
        """The public neighbourhood ranking of a neighbourhood challenge, by score per participating household.

        No log-in; the JSON twin of the embeddable page /embed/challenges/<id>/neighbourhoods. A
        neighbourhood with fewer than `min_participants` participants is listed with `ranked: false`
        and neither rank nor score, which would tell on individuals. Cacheable for 60 seconds, with an
        ETag for conditional requests.
        """
        challenge = services.get_public_neighbourhood_challenge(challenge_id)
        caching.cache_publicly()
        return {
            "challenge_id": challenge.id, "title": challenge.title, "metric": challenge.metric.value,
            "min_participants": results.MIN_PARTICIPANTS, "neighbourhoods": results.neighbourhood_ranking(challenge),
        }  # fmt: skip


@blp.route("/leaderboards/season")
class SeasonLeaderboard(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=OPTIONAL_AUTH)
    @blp.arguments(SeasonArgumentsSchema, location="query")
    @blp.response(200, SeasonLeaderboardSchema)
    @blp.paginate(per_page=services.PER_PAGE)
    def get(self, arguments, pagination_parameters):
        """Residents by points from every challenge this week (from Monday), this month, or all time.

        Weeks and months follow the city's calendar and count a submission on the day of its activity.
        Ties share a rank (1, 2, 2, 4); `me` is your own rank once you have points in the window.
        """
        period, params = Period(arguments["window"]), pagination_parameters
        board, start = services.season_board(period, current_viewer(), params.page, params.page_size)
        params.item_count = board.participants
        return {
            "window": period.value, "period_start": None if period == Period.ALL else start,
            "participants": board.participants, "entries": board.entries, "me": board.me,
        }  # fmt: skip


def _team_board(challenge_id, arguments, pagination_parameters, parent_id=None) -> dict:
    viewer, params = current_viewer(), pagination_parameters
    challenge = team_board.get_challenge(challenge_id, viewer)
    parent = team_board.get_parent(parent_id) if parent_id is not None else None
    order = team_board.Order(arguments["by"])
    board = team_board.board(challenge, viewer, order, parent, params.page, params.page_size)
    params.item_count = board.teams
    return {
        "challenge_id": challenge.id, "by": order.value, "parent_id": parent_id, "min_members": team_board.MIN_MEMBERS,
        "teams": board.teams, "too_small": team_board.too_small(challenge, parent), "entries": board.entries,
        "mine": board.mine,
    }  # fmt: skip


@blp.route("/challenges/<int:challenge_id>/leaderboard/teams")
class TeamLeaderboard(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=OPTIONAL_AUTH)
    @blp.arguments(TeamArgumentsSchema, location="query")
    @blp.response(200, TeamLeaderboardSchema)
    @blp.paginate(per_page=team_board.PER_PAGE)
    def get(self, arguments, challenge_id, pagination_parameters):
        """The team ranking of a challenge that ranks teams: by score per active member (default) or by total.

        Only teams a manager approved, with at least `min_members` members taking part, are ranked (the
        others are counted in `too_small`); sub-teams are ranked inside their parent
        (`/leaderboard/teams/<team_id>`), and a sub-team's members count for the parent too. Ties share a
        rank (1, 2, 2, 4). `mine` is your team's line once it is ranked here. 404 when the challenge does
        not rank teams.
        """
        return _team_board(challenge_id, arguments, pagination_parameters)


@blp.route("/challenges/<int:challenge_id>/leaderboard/teams/<int:team_id>")
class SubTeamLeaderboard(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=OPTIONAL_AUTH)
    @blp.arguments(TeamArgumentsSchema, location="query")
    @blp.response(200, TeamLeaderboardSchema)
    @blp.paginate(per_page=team_board.PER_PAGE)
    def get(self, arguments, challenge_id, team_id, pagination_parameters):
        """One approved team's sub-teams (a school's classes, a company's departments), ranked among themselves
        by the same rules as the team ranking."""
        return _team_board(challenge_id, arguments, pagination_parameters, parent_id=team_id)
