"""JSON API of a resident's points: the ledger with balance and level.

`/me/ledger` answers an object (balance, level and the page's `entries`), as the leaderboards do, so
the summary sits beside the page; its X-Pagination counts the entries. `format=csv` (or Accept:
text/csv) downloads every matching entry instead. The routes belong to the `api_points` blueprint
(tag "Points and badges"), shared with a resident's badges.
"""

from datetime import datetime, time, timedelta
from functools import wraps

from flask import request
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest import abort

from accounts.models import Role
from app.clock import city_zone
from app.columns import utcnow
from app.pagination import page_arguments_schema, page_of
from app.security import serves, viewer
from rewards import display, ledger
from rewards.blueprints import my_api as blp
from rewards.points import services
from rewards.points.downloads import csv_download
from rewards.points.schemas import LedgerArgumentsSchema, LedgerSchema

resident_required = serves(Role.RESIDENT)
LEDGER_PER_PAGE, LEDGER_MAX_PER_PAGE = 20, 100
LEDGER_PAGE_ARGUMENTS = page_arguments_schema(LEDGER_PER_PAGE, LEDGER_MAX_PER_PAGE)
CSV_DOC = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}


def _city_moment(value, end: bool) -> datetime:
    """A `from`/`to` argument as a moment: days start at midnight in the city; `to` includes its day."""
    zone = city_zone()
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    return datetime.combine(value + timedelta(days=1) if end else value, time(), tzinfo=zone)


def _history(user, arguments):
    """The resident's entries the arguments ask for; `from` after `to` is a 422."""
    since = _city_moment(arguments["since"], end=False) if "since" in arguments else None
    until = _city_moment(arguments["until"], end=True) if "until" in arguments else None
    if since and until and since >= until:
        message = str(_l("This must come after “from”."))
        abort(422, message=message, errors={"to": [message]})
    return ledger.history_query(user.id, arguments.get("kind"), since, until)


def _in_utc(entry) -> str:
    return entry.created_at.isoformat()


def csv_when_asked(view):
    """Answer `format=csv` or `Accept: text/csv` with every matching entry as a CSV file, unpaged."""

    @wraps(view)
    def answering(self, arguments, **kwargs):
        wants_csv = request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"
        if arguments["format"] == "csv" or (wants_csv and "format" not in request.args):
            # The file holds every entry, yet page arguments are still checked as on every list.
            blp.PAGINATION_ARGUMENTS_PARSER.parse(LEDGER_PAGE_ARGUMENTS, request, location="query")
            return csv_download(_history(viewer(), arguments), _in_utc, f"points-{utcnow():%Y-%m-%d}.csv")
        return view(self, arguments, **kwargs)

    return answering


def _entry(entry) -> dict:
    return {"id": entry.id, "created_at": entry.created_at, "kind": entry.kind, "amount": entry.amount,
            "reason": display.describe(entry), "reason_code": entry.reason, "source_key": entry.source_key}  # fmt: skip


@blp.route("/me/ledger")
class MyLedger(MethodView):
    @resident_required
    @blp.arguments(LedgerArgumentsSchema, location="query")
    @blp.response(200, LedgerSchema)
    @blp.doc(responses=CSV_DOC)
    @csv_when_asked
    @blp.paginate(per_page=LEDGER_PER_PAGE, max_per_page=LEDGER_MAX_PER_PAGE)
    def get(self, arguments, pagination_parameters):
        """Your points (residents): balance, lifetime points, level, and the history newest first.

        The body is an object; `entries` holds this page and X-Pagination counts every matching
        entry. Filter with `kind` (repeated or comma-separated), `from` and `to` (a day, or a moment
        in ISO 8601; days are the city's, `to` includes its day). `format=csv` or `Accept: text/csv`
        downloads every matching entry as CSV (id, date in UTC, kind, amount, reason, source, activity_day), unpaged.
        """
        user = viewer()
        summary = services.summary(user.id)
        level = summary.level
        entries = page_of(_history(user, arguments), pagination_parameters)
        return {
            "balance": summary.balance, "lifetime_points": summary.lifetime,
            "level": {"number": level.number, "name": level.name, "threshold": level.threshold,
                      "next_threshold": level.next_threshold, "points_to_next": level.points_to_next(summary.lifetime)},
            "entries": [_entry(entry) for entry in entries],
        }  # fmt: skip
