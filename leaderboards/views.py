"""Leaderboard pages: a challenge's ranking, the season ranking, and the public neighbourhood embed."""

from contextlib import nullcontext

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from accounts.models import Role
from app.i18n import locale_for
from app.security import PUBLIC, allow_framing, serves
from app.security import viewer as current_viewer
from challenges import display, results
from leaderboards import caching, charts, services, team_board
from leaderboards.display import formatter
from leaderboards.models import Period
from teams import services as teams
from teams.errors import TeamNotFound

bp = Blueprint("leaderboards", __name__, template_folder="templates")

WINDOW_LABELS = {Period.WEEK: _l("This week"), Period.MONTH: _l("This month"), Period.ALL: _l("All time")}


@bp.context_processor
def leaderboard_context():
    return {
        "labels": display,
        "number": formatter(),
        "day": display.day,
        "status_label": display.status_label,
        "MIN_PARTICIPANTS": results.MIN_PARTICIPANTS,
    }


def _page() -> int:
    return min(max(request.args.get("page", 1, type=int), 1), services.MAX_PAGE)


@bp.route("/challenges/<int:challenge_id>/leaderboard")
@serves(PUBLIC)
def challenge(challenge_id: int):
    viewer = current_viewer()
    shown = services.get_challenge(challenge_id, viewer)
    unit = display.METRIC_UNITS[shown.metric]
    enrollment = services.viewer_enrollment(shown, viewer)
    neighbourhoods = results.neighbourhood_ranking(shown) if services.ranks_neighbourhoods(shown) else None
    return render_template(
        "leaderboards/challenge.html",
        challenge=shown,
        unit=unit,
        board=services.challenge_board(shown, viewer, page=_page(), enrollment=enrollment),
        history=charts.rank_chart(services.rank_history(enrollment)) if enrollment else None,
        neighbourhoods=neighbourhoods,
        neighbourhood_chart=charts.neighbourhood_chart(neighbourhoods, unit) if neighbourhoods is not None else None,
    )


def _order() -> team_board.Order:
    by = request.args.get("by", team_board.Order.PER_MEMBER.value)
    return team_board.Order(by) if by in {o.value for o in team_board.Order} else team_board.Order.PER_MEMBER


ORDER_LABELS = {team_board.Order.PER_MEMBER: _l("Per member"), team_board.Order.TOTAL: _l("Total")}


@bp.route("/challenges/<int:challenge_id>/leaderboard/teams")
@serves(PUBLIC)
def challenge_teams(challenge_id: int):
    """The team ranking: approved teams with enough members taking part, per member or by total."""
    return _team_page(challenge_id, None)


@bp.route("/challenges/<int:challenge_id>/leaderboard/teams/<int:team_id>")
@serves(PUBLIC)
def challenge_sub_teams(challenge_id: int, team_id: int):
    """One team's sub-teams ranked among themselves."""
    return _team_page(challenge_id, team_id)


def _team_page(challenge_id: int, parent_id: int | None):
    viewer = current_viewer()
    shown = team_board.get_challenge(challenge_id, viewer)
    parent = team_board.get_parent(parent_id) if parent_id is not None else None
    board = team_board.board(shown, viewer, _order(), parent, _page())
    return render_template(
        "leaderboards/teams.html", challenge=shown, unit=display.METRIC_UNITS[shown.metric], board=board,
        parent=parent, orders=ORDER_LABELS, too_small=team_board.too_small(shown, parent),
        MIN_MEMBERS=team_board.MIN_MEMBERS,
    )  # fmt: skip


@bp.route("/teams/<int:team_id>/scores")
@serves(Role.RESIDENT)
def team_scores(team_id: int):
    """A team's totals in the challenges that rank teams, for its members; the captain also sees the members'
    contributions that they chose to show."""
    viewer = current_viewer()
    team = teams.visible_team(team_id, viewer)
    if viewer is None or not teams.belongs(team, viewer):
        raise TeamNotFound()
    captain = teams.is_captain(team, viewer)
    rows = []
    for challenge, score in team_board.team_scores(team):
        shown = score.members >= team_board.MIN_MEMBERS
        members, complete = team_board.contributions(challenge, team, viewer.id) if captain else ([], True)
        rows.append({"challenge": challenge, "score": score, "shown": shown, "members": members,
                     "complete": complete, "rank": team_board.rank_of(challenge, team, score),
                     "unit": display.METRIC_UNITS[challenge.metric]})  # fmt: skip
    return render_template("leaderboards/team_scores.html", team=team, captain=captain, rows=rows,
                           MIN_MEMBERS=team_board.MIN_MEMBERS)  # fmt: skip


@bp.route("/leaderboards")
@serves(PUBLIC)
def index():
    return redirect(url_for("leaderboards.season"))


@bp.route("/leaderboards/season")
@serves(PUBLIC)
def season():
    window = request.args.get("window", Period.WEEK.value)
    period = Period(window) if window in {p.value for p in Period} else Period.WEEK
    viewer = current_viewer()
    board, start = services.season_board(period, viewer, page=_page())
    return render_template(
        "leaderboards/season.html",
        period=period,
        period_start=start,
        windows=WINDOW_LABELS,
        board=board,
        running=services.running_challenges(viewer),
    )


@bp.route("/embed/challenges/<int:challenge_id>/neighbourhoods")
@serves(PUBLIC)
@allow_framing
def embed_neighbourhoods(challenge_id: int):
    """The public neighbourhood ranking, standalone for an iframe on the city's website; `?lang=de` picks a language."""
    language = request.args.get("lang")
    with force_locale(locale_for(language)) if language in current_app.config["LANGUAGES"] else nullcontext():
        shown = services.get_public_neighbourhood_challenge(challenge_id)
        unit = display.METRIC_UNITS[shown.metric]
        standings = results.neighbourhood_ranking(shown)
        caching.cache_publicly(vary=("Accept-Language", "Cookie"))
        return render_template(
            "leaderboards/embed.html",
            challenge=shown,
            unit=unit,
            neighbourhoods=standings,
            neighbourhood_chart=charts.neighbourhood_chart(standings, unit),
        )
