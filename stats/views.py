"""Statistics pages for municipal staff: the dashboard, its downloads, and the export history.

The dashboard is split so that no page is more than a few screens long: `/stats` is the overview (filters,
the figures at a glance, downloads and open data), and each chart and each measure's table has a view of its
own (`/stats/<section>`, `/stats/measures/<measure>`), reached from the overview with the same filters.

Every download goes through `services.export`, which writes one entry to the data use log. Viewing
the dashboard uses residents' data too, so it is logged as well ("dashboard view"), but only once
per staff member, filter set and day: reloading the page or switching the chart adds no entry.
"""

from datetime import datetime, time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import Role
from app.clock import city_zone
from app.extensions import db
from app.security import serves, viewer
from leaderboards.display import formatter
from sharing import display as sharing_display
from sharing.models import DataUse, Level, Purpose
from stats import charts, dialects, open_data, services
from stats.downloads import (
    download,
    history_query,
    neighbourhoods,
    no_places_problem,
    published_challenges,
    reader_locale,
)
from stats.figures import Filters
from stats.forms import GRANULARITY_LABELS, LEVEL_LABELS, StatsFilterForm
from stats.periods import Granularity
from stats.release import DEFINITIONS, MEASURE_LABELS, Release
from stats.schemas import FORMATS

bp = Blueprint("stats", __name__, template_folder="templates")
staff_required = serves(Role.STAFF)
DASHBOARD_VIEW = "dashboard view"
PER_PAGE = 20
MAX_PAGE = 10_000
# The views beside the overview, in the order the overview lists them.
SECTIONS = {
    "participation": _l("Participation over time"),
    "comparison": _l("Neighbourhood comparison"),
    "savings": _l("Savings per household"),
    "retention": _l("Retention"),
    "consents": _l("Data-sharing consents"),
    "definitions": _l("Definitions"),
}


@bp.context_processor
def stats_context():
    return {"number": formatter(), "when": sharing_display.when, "level_labels": sharing_display.LEVEL_LABELS}


def _today():
    return datetime.now(city_zone()).date()


# The dashboard --------------------------------------------------------------------------------


def _filter_form() -> StatsFilterForm:
    form = StatsFilterForm(published_challenges(), neighbourhoods(), _today(), formdata=request.args)
    if form.validate():
        problem = no_places_problem(form.filters())
        if problem:
            form.level.errors = [*form.level.errors, problem]
    return form


def _logged_today(actor, filters: Filters) -> bool:
    """Whether this staff member's dashboard view of these filters is already in today's log."""
    since = datetime.combine(_today(), time.min, tzinfo=city_zone())
    query = select(DataUse.filters).where(
        DataUse.actor_id == actor.id, DataUse.description == DASHBOARD_VIEW, DataUse.created_at >= since
    )
    return filters.as_dict() in db.session.scalars(query).all()


def _dashboard_release(filters: Filters) -> Release:
    actor = viewer()
    if _logged_today(actor, filters):
        return services.build_release(filters)[0]
    return services.export(filters, actor, description=DASHBOARD_VIEW)


def _render(form: StatsFilterForm, release: Release | None, template: str = "stats/dashboard.html", **view):
    view_args = form.args() if not form.errors else {}
    if form.compare.data in MEASURE_LABELS and not form.errors:
        view_args["compare"] = form.compare.data
    context = {
        "form": form, "release": release, "formats": FORMATS, "sections": SECTIONS, "labels": MEASURE_LABELS,
        "view_args": view_args, **view,
    }  # fmt: skip
    if release is not None:
        granularity = Granularity(release.filters["granularity"])
        compare = form.compare.data if form.compare.data in MEASURE_LABELS else "submissions"
        context.update(
            measures={table.name: table for table in release.measures},
            definitions=DEFINITIONS, granularity_label=GRANULARITY_LABELS[granularity],
            level_label=LEVEL_LABELS[Level(release.filters["level"])],
            periods=[charts.period_label(start, granularity) for start in release.buckets],
            place_label=lambda place: charts.place_label(release, place),
            participation=charts.participation_chart(release, granularity),
            comparison=charts.comparison_chart(release, compare), savings=charts.savings_chart(release, granularity),
            export_args=form.args(), purpose_names=_purpose_names(),
            budget=open_data.budget_state(_city(form.filters())), epsilon=current_app.config["STATS_DP_EPSILON"],
        )  # fmt: skip
    return render_template(template, **context), 422 if form.errors else 200


def _purpose_names() -> dict[str, str]:
    return {purpose.code: sharing_display.name(purpose) for purpose in db.session.scalars(select(Purpose))}


def _show(template: str, **view):
    form = _filter_form()
    if form.errors:
        return _render(form, None, template, **view)
    return _render(form, _dashboard_release(form.filters()), template, **view)


@bp.route("/stats")
@staff_required
def dashboard():
    """The overview: filters, the figures at a glance, downloads and open data, and links to every view."""
    return _show("stats/dashboard.html")


@bp.route("/stats/<any(participation, comparison, savings, retention, consents, definitions):section>")
@staff_required
def section(section: str):
    """One chart with its table (or the retention, consents or definitions), with the overview's filters."""
    return _show("stats/section.html", section=section, section_title=SECTIONS[section])


@bp.route("/stats/measures/<measure>")
@staff_required
def measure(measure: str):
    """One measure's table of places × periods, with the overview's filters."""
    if measure not in MEASURE_LABELS:
        abort(404)
    return _show("stats/measure.html", measure=measure)


@bp.route("/stats/export")
@staff_required
def export():
    form = _filter_form()
    fmt = request.args.get("format", "csv")
    requested = request.args.get("dialect") or None
    if fmt not in FORMATS or requested not in (None, *dialects.DIALECTS):
        form.form_errors.append(_format_error())
    if form.errors or form.form_errors:
        return _render(form, None)
    release = services.export(form.filters(), viewer(), description=f"dashboard export ({fmt})")
    # Without `dialect`, a German reader gets the CSV their Excel opens (`;`, decimal comma, BOM).
    return download(release, fmt, dialects.choose(requested, reader_locale()))


def _city(filters: Filters) -> Filters:
    """Open data is city-wide over all challenges: only the period and its length remain of the filters."""
    return Filters(filters.start, filters.end, filters.granularity, Level.CITY)


@bp.route("/stats/open-data", methods=["POST"])
@staff_required
def publish_open_data():
    """Publish a noisy city-wide release of the period, spending privacy budget; refused once it is spent."""
    form = StatsFilterForm(published_challenges(), neighbourhoods(), _today(), formdata=request.form)
    fmt = request.form.get("format", "json")
    if not form.validate() or fmt not in ("json", "zip", "xlsx"):
        flash(gettext("The release could not be made: the period is not valid."), "error")
        return redirect(url_for("stats.dashboard"))
    try:
        release = open_data.release(_city(form.filters()), viewer())
    except open_data.BudgetSpent:
        flash(gettext("The yearly privacy budget of residents this release would use is spent; no further release "
                      "is possible this year."), "error")  # fmt: skip
        return redirect(url_for("stats.dashboard", **form.args()))
    return download(release, fmt)


def _format_error() -> str:
    return gettext("Choose one of the offered download formats.")


@bp.route("/stats/exports")
@staff_required
def history():
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    pagination = db.paginate(history_query(), page=page, per_page=PER_PAGE, error_out=False)
    granularity_labels = {g.value: label for g, label in GRANULARITY_LABELS.items()}
    return render_template(
        "stats/history.html", pagination=pagination, challenges=dict(published_challenges()),
        neighbourhoods=dict(neighbourhoods()), granularity_labels=granularity_labels,
        head_count=services.protected_head_count, min_residents=services.min_residents(),
    )  # fmt: skip
