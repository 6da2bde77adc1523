"""JSON API of teams: the approved teams, founding, joining by code or request, leaving, the captain's actions on
members, reports, and the managers' moderation. The same services as the pages."""

from flask.views import MethodView
from flask_smorest import Blueprint

from accounts.models import Role
from app.security import PUBLIC, serves, viewer
from teams import services
from teams.models import Team
from teams.schemas import (
    ContributionSchema,
    JoinSchema,
    ModerationSchema,
    ReportSchema,
    SubTeamInSchema,
    TeamInSchema,
    TeamListSchema,
    TeamSchema,
)

blp = Blueprint("api_teams", __name__, url_prefix="/api/v1/teams", description="Teams")


def _shown(team: Team) -> dict:
    """A team as the viewer may see it: members to its members, requests and the code to its captain."""
    user = viewer()
    mine = services.membership_of(user) if user else None
    in_team = mine is not None and mine.team_id == team.id and mine.state == "member"
    captain = bool(user) and services.is_captain(team, user)
    rows = [*services.members(team), *(services.requests(team) if captain else [])] if in_team or captain else []
    return {
        "id": team.id, "parent_id": team.parent_id, "name": team.name, "kind": team.kind,
        "description": team.description,
        "status": team.status, "is_open": team.is_open, "member_count": services.member_count(team),
        "invite_code": team.invite_code if captain else None,
        "members": [{"user_id": r.user_id, "pseudonym": r.user.pseudonym, "state": r.state, "captain": r.is_captain}
                    for r in rows],
        "sub_teams": [{"id": s.id, "name": s.name, "status": s.status, "member_count": services.member_count(s)}
                      for s in services.sub_teams(team, user)],
        "shows_contribution": mine.shows_contribution if in_team else None,
    }  # fmt: skip


@blp.route("")
class Teams(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=[])
    @blp.response(200, TeamListSchema(many=True))
    def get(self):
        """The approved teams, alphabetically."""
        return services.public_teams()

    @serves(Role.RESIDENT)
    @blp.arguments(TeamInSchema)
    @blp.response(201, TeamSchema)
    @blp.alt_response(409, description="The name is taken, or you are in a team already.")
    def post(self, data):
        """Found a team; you become its captain. It shows publicly once a manager approved it."""
        return _shown(services.found_team(viewer(), **data))


@blp.route("/<int:team_id>")
class OneTeam(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=[])
    @blp.response(200, TeamSchema)
    @blp.alt_response(404, description="No such team, or not approved and you are neither member nor manager.")
    def get(self, team_id):
        """One team: everybody sees an approved team and its size; members see each other by pseudonym."""
        return _shown(services.visible_team(team_id, viewer()))

    @serves(Role.MANAGER)
    @blp.arguments(ModerationSchema)
    @blp.response(200, TeamSchema)
    @blp.alt_response(404, description="No such team.")
    @blp.alt_response(409, description="Another team has this name.")
    def patch(self, data, team_id):
        """Moderate a team: approve, hide or rename it (managers)."""
        team = services.get_team(team_id)
        return _shown(services.moderate(team, data.get("status", team.status), data.get("name")))


@blp.route("/join")
class Join(MethodView):
    @serves(Role.RESIDENT)
    @blp.arguments(JoinSchema)
    @blp.response(200, TeamSchema)
    @blp.alt_response(404, description="No team has this code.")
    @blp.alt_response(409, description="You are in a team already.")
    def post(self, data):
        """Join the team whose invitation code this is (case, spaces and dashes do not matter)."""
        return _shown(services.join_by_code(viewer(), data["code"]))


@blp.route("/<int:team_id>/requests")
class AskToJoin(MethodView):
    @serves(Role.RESIDENT)
    @blp.response(201, TeamSchema)
    @blp.alt_response(404, description="No such approved team.")
    @blp.alt_response(409, description="You are in a team already (or asked one).")
    def post(self, team_id):
        """Ask to join an open team; its captain accepts or declines."""
        team = services.visible_team(team_id, viewer())
        services.ask_to_join(viewer(), team)
        return _shown(team)


@blp.route("/<int:team_id>/leave")
class Leave(MethodView):
    @serves(Role.RESIDENT)
    @blp.response(204)
    @blp.alt_response(404, description="No such team, or you are not in it.")
    def post(self, team_id):
        """Leave the team, or withdraw your request; a captain with members hands over first."""
        services.leave(viewer(), services.get_team(team_id))


ACTIONS = {
    "accept": lambda captain, team, user_id: services.answer_request(captain, team, user_id, accept=True),
    "decline": lambda captain, team, user_id: services.answer_request(captain, team, user_id, accept=False),
    "remove": services.remove_member,
    "captain": services.hand_over,
}


@blp.route("/<int:team_id>/members/<int:user_id>/<any(accept, decline, remove, captain):action>")
class MemberAction(MethodView):
    @serves(Role.RESIDENT)
    @blp.response(200, TeamSchema)
    @blp.alt_response(403, description="You are not the team's captain.")
    @blp.alt_response(404, description="No such team, member or request.")
    def post(self, team_id, user_id, action):
        """The captain accepts or declines a request, removes a member, or makes a member captain."""
        team = services.get_team(team_id)
        ACTIONS[action](viewer(), team, user_id)
        return _shown(team)


@blp.route("/<int:team_id>/reports")
class Reports(MethodView):
    @serves(Role.RESIDENT)
    @blp.arguments(ReportSchema)
    @blp.response(204)
    @blp.alt_response(404, description="No such team.")
    @blp.alt_response(409, description="You reported this team already.")
    def post(self, data, team_id):
        """Report a team's name or description as offensive; managers see the reports."""
        services.report(viewer(), services.visible_team(team_id, viewer()), data["reason"])


@blp.route("/<int:team_id>/sub-teams")
class SubTeams(MethodView):
    @serves(Role.RESIDENT)
    @blp.arguments(SubTeamInSchema)
    @blp.response(201, TeamSchema)
    @blp.alt_response(403, description="You are not the team's captain.")
    @blp.alt_response(404, description="No such team.")
    @blp.alt_response(409, description="The name is taken.")
    def post(self, data, team_id):
        """Found a sub-team of your team (a class, a department), as its captain: it takes the team's kind,
        its members count for both, and it shows publicly once a manager approved it. One level deep."""
        parent = services.visible_team(team_id, viewer())
        return _shown(services.found_sub_team(viewer(), parent, **data))


@blp.route("/<int:team_id>/contribution")
class Contribution(MethodView):
    @serves(Role.RESIDENT)
    @blp.arguments(ContributionSchema)
    @blp.response(200, TeamSchema)
    @blp.alt_response(404, description="No such team, or you are not a member.")
    def put(self, data, team_id):
        """Your "show my contribution to my team" setting (off by default): whether the captain sees your scores."""
        team = services.get_team(team_id)
        services.set_shows_contribution(viewer(), team, data["shows"])
        return _shown(team)
