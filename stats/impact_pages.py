"""The city impact board's pages: the public page, the embeddable widget and the SVG badge (no log-in, cacheable).

A blueprint of its own (not the staff statistics pages): everything here is public and read-only.
"""

from contextlib import nullcontext

from flask import Blueprint, current_app, render_template, request
from flask_babel import force_locale, format_decimal, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import charts as kit
from app.i18n import locale_for
from app.security import PUBLIC, allow_framing, serves
from challenges.display import MODE_LABELS
from challenges.scoring import Mode
from leaderboards import caching
from leaderboards.display import formatter
from stats import impact

bp = Blueprint("impact", __name__, template_folder="templates")

FIGURE_LABELS = {
    "kwh_saved": _l("kWh saved"),
    "car_km_avoided": _l("Car-km avoided"),
    "co2_kg_avoided": _l("CO₂ avoided (kg)"),
    "trips": _l("Trips"),
    "active_participants": _l("Active participants"),
}


def _language():
    """`?lang=de` or `?lang=en` picks the language for a site embedding the board."""
    language = request.args.get("lang")
    return force_locale(locale_for(language)) if language in current_app.config["LANGUAGES"] else nullcontext()


def _chart(figures: dict):
    ranked = [row for row in figures["neighbourhoods"] if row["rank"] is not None]
    bars = [(kit.short_name(row["name"], 18), row["co2_kg_per_participant"]) for row in ranked]
    return kit.bar_chart(
        bars, chart_id="impact-neighbourhoods", title=gettext("CO₂ avoided per active participant, by neighbourhood"),
        desc=gettext("The same numbers are in the table below."), unit="kg",
    ) if bars else None  # fmt: skip


def _render(template: str, personal_header: bool = False):
    with _language():
        figures = impact.board()
        if not (personal_header and current_user.is_authenticated):  # a logged-in header is no shared cache's
            caching.cache_publicly(vary=("Accept-Language", "Cookie"))
        return render_template(
            template, figures=figures, labels=FIGURE_LABELS, modes=[(m.value, MODE_LABELS[m]) for m in Mode],
            chart=_chart(figures), number=formatter(),
        )  # fmt: skip


@bp.route("/impact")
@serves(PUBLIC)
def board():
    """The city's impact so far and this week, for everyone."""
    return _render("stats/impact.html", personal_header=True)


@bp.route("/embed/impact")
@serves(PUBLIC)
@allow_framing
def embed():
    """The impact board standalone, for an iframe on the city's website."""
    return _render("stats/impact_embed.html")


@bp.route("/impact/badge.svg")
@serves(PUBLIC)
def badge():
    """ "Our city has avoided 12.4 t CO₂" as an SVG image another site can show with an <img>."""
    with _language():
        co2 = impact.board()["so_far"]["co2_kg_avoided"]
        text = (gettext("Our city has avoided %(tonnes)s t CO₂", tonnes=format_decimal(round(co2 / 1000, 1),
                                                                                        format="#,##0.0"))
                if co2 is not None else gettext("Our city is saving CO₂ with Civiquest"))  # fmt: skip
        caching.cache_publicly(vary=("Accept-Language", "Cookie"))
        body = render_template("stats/impact_badge.svg", text=text, width=max(220, 9 * len(text) + 24))
    return current_app.response_class(body, mimetype="image/svg+xml")
