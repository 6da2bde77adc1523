"""Pages of a resident's points: balance, level and the history with filters, and the history as CSV.

The routes belong to the `rewards` blueprint (rewards.blueprints), shared with the catalogue's pages.
"""

from flask import render_template, request
from flask_login import current_user

from app.clock import city_zone
from app.extensions import db
from app.pagination import requested_page
from app.security import SIGNED_IN, serves
from rewards import display, ledger
from rewards.blueprints import pages as bp
from rewards.points import services
from rewards.points.downloads import csv_download
from rewards.points.forms import PointsFilterForm

HISTORY_PER_PAGE = 25


@bp.app_context_processor
def points_context():
    """Any page (the profile, the header) may ask for the viewer's points, computed only when asked."""
    return {"points_summary": lambda: services.summary(current_user.id), "points": display.points}


def _points_filters() -> PointsFilterForm:
    form = PointsFilterForm(formdata=request.args)
    form.validate()
    return form


@bp.route("/me/points")
@serves(SIGNED_IN)
def my_points():
    form = _points_filters()
    filters = form.filters() if not form.errors else {}
    query = ledger.history_query(current_user.id, **filters)
    pagination = db.paginate(query, page=requested_page(), per_page=HISTORY_PER_PAGE, error_out=False)
    return render_template(
        "rewards/points.html", summary=services.summary(current_user.id), form=form, pagination=pagination,
        describe=display.describe, activity_day=display.activity_day,
    ), 422 if form.errors else 200  # fmt: skip


@bp.route("/me/points.csv")
@serves(SIGNED_IN)
def my_points_csv():
    form = _points_filters()
    if form.errors:
        return my_points()
    query = ledger.history_query(current_user.id, **form.filters())
    return csv_download(query, _in_city_time, "civiquest-points.csv")


def _in_city_time(entry) -> str:
    return entry.created_at.astimezone(city_zone()).isoformat(timespec="seconds")
