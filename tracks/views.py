"""Pages: the resident's track upload, and the traffic planners' route grid with its downloads.

Viewing the grid uses residents' data, so it is logged like an export, but once per staff member, filter set
and day (as the statistics dashboard is): reloading adds no entry.
"""

from datetime import datetime, time

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from accounts.models import Role
from app.clock import city_zone, today
from app.extensions import db
from app.security import serves, viewer
from app.transactions import refuse
from challenges.display import MODE_LABELS
from challenges.scoring import Mode
from sharing.models import DataUse
from stats import dialects
from stats.downloads import reader_locale
from tracks import errors, exports, grid, services
from tracks.forms import BAND_LABELS, GridFilterForm, TrackUploadForm
from tracks.mapping import svg_map

bp = Blueprint("tracks", __name__, template_folder="templates")
MAP_VIEW = "route map view"
FORMATS = ("csv", "geojson")
BODY_LIMIT = services.gpx.MAX_BYTES + 64 * 1024  # the file and the form around it


@bp.before_request
def _track_sized_bodies():
    """A track file may be larger than the app's usual request body, before the form is parsed."""
    request.max_content_length = BODY_LIMIT


@bp.route("/me/tracks", methods=["GET", "POST"])
@serves(Role.RESIDENT)
def upload():
    """Upload a GPX file: each track becomes a trip in the resident's running mobility challenges."""
    form, result = TrackUploadForm(), None
    if form.validate_on_submit():
        content = form.file.data.read(services.gpx.MAX_BYTES + 1)
        try:
            result = services.upload(viewer(), content, form.mode.data, form.replaced_car.data)
        except errors.TrackRefused as refusal:
            refuse()
            target = form._fields.get(refusal.field, form.file)
            target.errors = [*target.errors, refusal.message]
    status = 422 if form.errors else 200
    return render_template("tracks/upload.html", form=form, result=result, modes=MODE_LABELS), status


def _filters() -> GridFilterForm:
    form = GridFilterForm(today(), formdata=request.args)
    form.validate()
    return form


def _logged_today(query: grid.Query) -> bool:
    since = datetime.combine(today(), time.min, tzinfo=city_zone())
    logged = select(DataUse.filters).where(
        DataUse.actor_id == viewer().id, DataUse.description == MAP_VIEW, DataUse.created_at >= since
    )
    return query.as_dict() in db.session.scalars(logged).all()


@bp.route("/tracks/grid")
@serves(Role.STAFF)
def planning():
    """The route grid for traffic planners: a map of cells and the same figures as a table."""
    form = _filters()
    if form.errors:
        return render_template("tracks/grid.html", form=form, grid=None), 422
    query = form.query()
    shown = grid.build(query) if _logged_today(query) else grid.use(query, viewer(), MAP_VIEW)
    return render_template(
        "tracks/grid.html", form=form, grid=shown, map=svg_map(shown), band_labels=BAND_LABELS,
        mode_labels={mode.value: label for mode, label in MODE_LABELS.items() if mode in (Mode.WALK, Mode.BIKE)},
        formats=FORMATS,
    )  # fmt: skip


@bp.route("/tracks/grid/export")
@serves(Role.STAFF)
def export():
    """The grid as GeoJSON or CSV; each download is an entry of the data use log."""
    form = _filters()
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        form.form_errors.append(_("Choose one of the offered download formats."))
    if form.errors or form.form_errors:
        return render_template("tracks/grid.html", form=form, grid=None), 422
    query = form.query()
    used = grid.use(query, viewer(), f"route grid export ({fmt})")
    name = f"route-grid-{query.first_week.isoformat()}-{query.last_week.isoformat()}"
    if fmt == "geojson":
        return Response(exports.geojson(used), mimetype="application/geo+json",
                        headers={"Content-Disposition": f'attachment; filename="{name}.geojson"'})  # fmt: skip
    dialect = dialects.choose(request.args.get("dialect"), reader_locale())
    return Response(
        "".join(exports.csv_text(used, dialect)), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )  # fmt: skip
