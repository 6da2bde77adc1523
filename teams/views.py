"""The team pages: the list of teams, founding and joining, a team's page with the captain's tools, and the
managers' moderation. Thin: each handler parses the form, calls teams.services, and renders or redirects."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.models import Role
from app.errors import DomainError
from app.forms import attach_error
from app.security import PUBLIC, serves
from teams import services
from teams.errors import NotCaptain
from teams.forms import (
    KIND_LABELS,
    STATUS_LABELS,
    ContributionForm,
    JoinForm,
    MemberForm,
    ModerateForm,
    ReportForm,
    SubTeamForm,
    TeamForm,
)
from teams.models import TeamStatus

bp = Blueprint("teams", __name__, template_folder="templates")


@bp.context_processor
def team_context():
    return {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS, "TeamStatus": TeamStatus}


def _viewer():
    return current_user if current_user.is_authenticated else None


@bp.route("/teams")
@serves(PUBLIC)
def index():
    """Approved teams, and for a resident their own team (or request) and the ways to join or found one."""
    mine = services.membership_of(current_user) if current_user.is_authenticated else None
    return render_template("teams/index.html", teams=services.public_teams(), mine=mine, join_form=JoinForm())


@bp.route("/teams/new", methods=["GET", "POST"])
@serves(Role.RESIDENT)
def found():
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team = services.found_team(current_user, form.name.data, form.kind.data, form.description.data,
                                       form.is_open.data)  # fmt: skip
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Your team “%(name)s” is founded. A manager approves its name before it shows publicly; "
                    "you can invite members already.", name=team.name), "success")  # fmt: skip
            return redirect(url_for("teams.detail", team_id=team.id))
    return render_template("teams/new.html", form=form), 422 if form.errors else 200


@bp.route("/teams/join", methods=["GET", "POST"])
@serves(Role.RESIDENT)
def join():
    """Join by invitation code; the invitation link opens this page with the code filled in."""
    form = JoinForm(data={"code": request.args.get("code", "")[:40]} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            team = services.join_by_code(current_user, form.code.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Welcome to %(name)s!", name=team.name), "success")
            return redirect(url_for("teams.detail", team_id=team.id))
    return render_template("teams/join.html", form=form), 422 if form.errors else 200


@bp.route("/teams/<int:team_id>")
@serves(PUBLIC)
def detail(team_id: int):
    """A team's page: everybody sees its name, kind and size; members see each other; the captain their tools."""
    viewer = _viewer()
    team = services.visible_team(team_id, viewer)
    mine = services.membership_of(viewer) if viewer else None
    captain = viewer is not None and services.is_captain(team, viewer)
    in_team = mine is not None and mine.team_id == team.id
    belongs = viewer is not None and services.belongs(team, viewer)
    return render_template(
        "teams/detail.html", team=team, mine=mine, in_team=in_team, captain=captain, belongs=belongs,
        members=services.members(team) if in_team or captain else [],
        requests=services.requests(team) if captain else [],
        member_count=services.member_count(team), everyone=services.everyone_count(team),
        sub_teams=[(sub, services.member_count(sub)) for sub in services.sub_teams(team, viewer)],
        button_form=MemberForm(), report_form=ReportForm(),
        contribution_form=ContributionForm(data={"shows": mine.shows_contribution}) if in_team else None,
        invite_url=url_for("teams.join", code=team.invite_code, _external=True) if captain else None,
    )  # fmt: skip


@bp.route("/teams/<int:team_id>/sub-teams/new", methods=["GET", "POST"])
@serves(Role.RESIDENT)
def found_sub_team(team_id: int):
    """The captain founds a sub-team of their team (a class of the school, a department of the company)."""
    parent = services.visible_team(team_id, current_user)
    form = SubTeamForm()
    if form.validate_on_submit():
        try:
            team = services.found_sub_team(current_user, parent, form.name.data, form.description.data,
                                           form.is_open.data)  # fmt: skip
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("The sub-team “%(name)s” is founded. A manager approves its name before it shows publicly; "
                    "you can invite its members already.", name=team.name), "success")  # fmt: skip
            return redirect(url_for("teams.detail", team_id=team.id))
    elif request.method == "GET" and not services.is_captain(parent, current_user):
        raise NotCaptain()
    return render_template("teams/new_sub_team.html", parent=parent, form=form), 422 if form.errors else 200


@bp.route("/teams/<int:team_id>/contribution", methods=["POST"])
@serves(Role.RESIDENT)
def contribution(team_id: int):
    """A member's "show my contribution to my team" setting."""
    form = ContributionForm()
    if form.validate_on_submit():
        services.set_shows_contribution(current_user, services.get_team(team_id), form.shows.data)
        flash(_("Your setting is saved."), "success")
    return redirect(url_for("teams.detail", team_id=team_id))


@bp.route("/teams/<int:team_id>/ask", methods=["POST"])
@serves(Role.RESIDENT)
def ask(team_id: int):
    if MemberForm().validate_on_submit():
        services.ask_to_join(current_user, services.visible_team(team_id, current_user))
        flash(_("Your request is sent. The captain decides."), "success")
    return redirect(url_for("teams.detail", team_id=team_id))


@bp.route("/teams/<int:team_id>/leave", methods=["POST"])
@serves(Role.RESIDENT)
def leave(team_id: int):
    if MemberForm().validate_on_submit():
        services.leave(current_user, services.get_team(team_id))
        flash(_("You have left the team."), "success")
    return redirect(url_for("teams.index"))


ACTIONS = {
    "accept": lambda captain, team, user_id: services.answer_request(captain, team, user_id, accept=True),
    "decline": lambda captain, team, user_id: services.answer_request(captain, team, user_id, accept=False),
    "remove": services.remove_member,
    "captain": services.hand_over,
}


@bp.route("/teams/<int:team_id>/members/<int:user_id>/<any(accept, decline, remove, captain):action>",
          methods=["POST"])  # fmt: skip
@serves(Role.RESIDENT)
def member_action(team_id: int, user_id: int, action: str):
    """The captain's buttons on one member or request; anyone else is refused by the service."""
    if MemberForm().validate_on_submit():
        ACTIONS[action](current_user, services.get_team(team_id), user_id)
        flash(_("Done."), "success")
    return redirect(url_for("teams.detail", team_id=team_id))


@bp.route("/teams/<int:team_id>/report", methods=["POST"])
@serves(Role.RESIDENT)
def report(team_id: int):
    team = services.visible_team(team_id, current_user)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.report(current_user, team, form.reason.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("Thank you. A manager will look at this team."), "success")
            return redirect(url_for("teams.detail", team_id=team.id))
    return render_template("teams/report.html", team=team, form=form), 422


# Managers ----------------------------------------------------------------------------------


@bp.route("/manage/teams")
@serves(Role.MANAGER)
def manage():
    return render_template("teams/manage.html", teams=services.teams_to_moderate())


@bp.route("/manage/teams/<int:team_id>", methods=["GET", "POST"])
@serves(Role.MANAGER)
def moderate(team_id: int):
    """Approve, hide or rename a team, with the residents' reports beside it."""
    team = services.get_team(team_id)
    form = ModerateForm(data={"name": team.name, "status": team.status.value} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.moderate(team, form.status.data, form.name.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_("The team “%(name)s” is saved.", name=team.name), "success")
            return redirect(url_for("teams.manage"))
    page = render_template("teams/moderate.html", team=team, form=form, reports=services.reports_of(team),
                           member_count=services.member_count(team))  # fmt: skip
    return page, 422 if form.errors else 200
