"""JSON API of participation statistics for staff: protected releases in four formats, and the export history."""

from datetime import datetime

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import select

from accounts.models import Role
from app.clock import city_zone
from app.extensions import db
from app.pagination import Blueprint, page_of
from app.security import api_client, serves
from challenges.models import Challenge
from challenges.scoring import Category
from clients.scopes import STATS_READ
from neighbourhoods.models import Neighbourhood
from sharing.models import Level
from stats import dialects, exports, open_data, services
from stats.downloads import XLSX, download, history_query, metadata_of, no_places_problem, reader_locale
from stats.figures import Filters
from stats.periods import Granularity
from stats.schemas import (
    ParticipationQuerySchema,
    ParticipationSchema,
    PrivacyBudgetSchema,
    StatsExportSchema,
    default_period,
    period_problem,
)

blp = Blueprint("api_stats", __name__, url_prefix="/api/v1/stats", description="Statistics")
staff_required = serves(Role.STAFF)
# Reads a partner system (e.g. the city's statistics office) may also make with a `stats:read` client token.
staff_or_client_reads = serves(Role.STAFF, scopes=(STATS_READ,))
FILE = {"schema": {"type": "string", "format": "binary"}}
DOWNLOAD_DOC = {
    200: {
        "description": "The release: JSON by default; CSV, XLSX or ZIP (data.csv and metadata.json) with `format`.",
        "content": {"text/csv": {"schema": {"type": "string"}}, XLSX: FILE, "application/zip": FILE},
    }
}
UNKNOWN = {
    "challenge_id": _l("No published challenge has this id."),
    "neighbourhood_id": _l("No neighbourhood has this id."),
}


def _unknown(model, ids: list[int], *conditions) -> bool:
    if not ids:
        return False
    found = db.session.scalars(select(model.id).where(model.id.in_(ids), *conditions)).all()
    return len(set(found)) < len(set(ids))


def _filters(query: dict) -> Filters:
    """Filters from the query arguments; a 422 naming the field for a bad period or an unknown id."""
    default_start, default_end = default_period(datetime.now(city_zone()).date())
    start, end = query.get("start", default_start), query.get("end", default_end)
    granularity = Granularity(query["period"])
    problems = {}
    problem = period_problem(start, end, granularity)
    if problem:
        problems[problem[0]] = [problem[1]]
    if _unknown(Challenge, query["challenge_id"], Challenge.published_at.is_not(None)):
        problems["challenge_id"] = [str(UNKNOWN["challenge_id"])]
    if _unknown(Neighbourhood, query["neighbourhood_id"]):
        problems["neighbourhood_id"] = [str(UNKNOWN["neighbourhood_id"])]
    if problems:
        abort(422, message=str(_l("The input is not valid.")), errors=problems)
    filters = Filters(
        start=start, end=end, granularity=granularity, level=Level(query["group_by"]),
        challenge_ids=tuple(sorted(set(query["challenge_id"]))),
        category=Category(query["category"]) if "category" in query else None,
        neighbourhood_ids=tuple(sorted(set(query["neighbourhood_id"]))),
    )  # fmt: skip
    problem = no_places_problem(filters)
    if problem:
        abort(422, message=problem, errors={"group_by": [problem]})
    return filters


@blp.route("/participation")
class Participation(MethodView):
    @staff_or_client_reads
    @blp.arguments(ParticipationQuerySchema, location="query")
    @blp.response(200, ParticipationSchema)
    @blp.doc(responses=DOWNLOAD_DOC)
    def get(self, query):
        """Participation figures (staff): every measure per place and period, protected by small-cell suppression.

        Only residents who consented to "municipal statistics" at the level asked for (`group_by`)
        are counted; the metadata says how many were included and left out. A value resting on
        fewer than k residents, or one that would reveal such a value through the totals, has the
        status `suppressed` and no value. Each call is recorded in the data use log. `format=csv`
        streams a tidy table (measure, place, period_start, value, status; `dialect=excel` for a spreadsheet
        in the caller's language), `xlsx` a workbook in the caller's language with About and Definitions
        sheets (a withheld value is `.`), `zip` the RFC 4180 CSV with its metadata.json; JSON carries `metadata`.
        """
        filters = _filters(query)
        fmt = query["format"]
        if (client := api_client()) is not None:  # a partner system: the data use log names the client
            release = services.export(filters, None, f"API export ({fmt})", actor_label=client.label)
        else:
            release = services.export(filters, current_user._get_current_object(), description=f"API export ({fmt})")
        if fmt != "json":
            return download(release, fmt, dialects.choose(query["dialect"], reader_locale()))
        return exports.json_document(release, metadata_of(release))


@blp.route("/exports")
class Exports(MethodView):
    @staff_or_client_reads
    @blp.response(200, StatsExportSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """The export history (staff): every use of participation statistics, newest first."""
        return page_of(history_query(), pagination_parameters)


@blp.route("/open-data")
class OpenData(MethodView):
    @staff_required
    @blp.arguments(ParticipationQuerySchema, location="query")
    @blp.response(201, ParticipationSchema)
    @blp.alt_response(409, description="The dataset's privacy budget is spent", success=False)
    @blp.doc(responses=DOWNLOAD_DOC)
    def post(self, query):
        """Publish an open-data release (staff): city-wide figures with differential-privacy noise.

        Each call spends `STATS_DP_EPSILON` of the yearly privacy budget of every resident whose data
        it uses, whatever its range or period length; once any of them would pass the budget, the call
        is refused with 409 and rule `budget_spent`, before any noise is drawn. The metadata states the
        mechanism, epsilon, the budget spent and each measure's noise scale and relative error.
        `group_by`, `challenge_id`, `category` and `neighbourhood_id` are ignored: open data is city-wide
        over all challenges; so is `dialect`: its CSV is always RFC 4180 (comma, decimal point, codes).
        """
        filters = _filters({**query, "group_by": Level.CITY.value, "challenge_id": [], "neighbourhood_id": []})
        filters = Filters(filters.start, filters.end, filters.granularity, Level.CITY)
        try:
            release = open_data.release(filters, current_user._get_current_object())
        except open_data.BudgetSpent as spent:
            abort(409, message=str(spent.message), rule=spent.rule,
                  errors={"period": [f"{spent.spent:g} / {spent.total:g}"]})  # fmt: skip
        if query["format"] != "json":
            return download(release, query["format"])
        return exports.json_document(release, metadata_of(release)), 201


@blp.route("/open-data/budget")
class OpenDataBudget(MethodView):
    @staff_or_client_reads
    @blp.arguments(ParticipationQuerySchema, location="query")
    @blp.response(200, PrivacyBudgetSchema)
    def get(self, query):
        """How much of this year's privacy budget per resident is spent, by the resident who has spent most (staff)."""
        filters = _filters({**query, "group_by": Level.CITY.value, "challenge_id": [], "neighbourhood_id": []})
        return open_data.budget_state(filters)
