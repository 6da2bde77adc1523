"""The city impact board as JSON for the city's own sites: public, cacheable, the twin of /impact."""

from flask.views import MethodView

from app.pagination import Blueprint
from app.security import PUBLIC, serves
from leaderboards import caching
from stats import impact
from stats.schemas import ImpactSchema

blp = Blueprint("api_public", __name__, url_prefix="/api/v1/public", description="Public figures")


@blp.route("/impact")
class Impact(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=[{}])
    @blp.response(200, ImpactSchema)
    @blp.alt_response(304, description="Not modified: the ETag sent in If-None-Match still matches.")
    def get(self):
        """The programme's impact so far and this week, and each neighbourhood's standing; no log-in.

        Only residents who agreed to municipal statistics are counted; a figure resting on fewer than
        `min_residents` residents is null, every other one carries cell-key noise. Computed once per
        city day; shared caches may keep it a minute.
        """
        caching.cache_publicly()
        return impact.board()
