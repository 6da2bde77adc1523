"""Leaderboard pages: a challenge's ranking, the season ranking, and the public neighbourhood embed."""

from contextlib import nullcontext

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.i18n import locale_for
from app.security import PUBLIC, allow_framing, serves
from app.security import viewer as current_viewer
from challenges import display, results
from leaderboards import caching, charts, services
from leaderboards.display import formatter
from leaderboards.models import Period

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
