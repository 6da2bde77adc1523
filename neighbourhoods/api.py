"""JSON API for neighbourhoods: a public list, needed to register, and the street lookup that helps choose one."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from app.extensions import limiter
from app.security import PUBLIC, serves
from neighbourhoods import services, streets
from neighbourhoods.schemas import LookupQuerySchema, LookupSchema, NeighbourhoodSchema

blp = Blueprint("api_neighbourhoods", __name__, url_prefix="/api/v1/neighbourhoods", description="Neighbourhoods")


@blp.route("")
class NeighbourhoodList(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=[])
    @blp.response(200, NeighbourhoodSchema(many=True))
    def get(self):
        """List the city's neighbourhoods with their number of households."""
        return services.list_neighbourhoods()


@blp.route("/lookup")
class NeighbourhoodLookup(MethodView):
    # Open to anyone, so limited per client address; one budget with the pages' lookup (the same scope).
    decorators = [limiter.shared_limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"], scope=streets.RATE_LIMIT_SCOPE)]

    @serves(PUBLIC)
    @blp.doc(security=[])
    @blp.arguments(LookupQuerySchema, location="query")
    @blp.response(200, LookupSchema)
    def get(self, query):
        """Find the neighbourhood of a street and/or postcode.

        The street is compared as residents write it: with or without house number, "Str." or "Straße",
        "ü" or "ue", any case. A street that crosses neighbourhoods gives one candidate per postcode and no
        single `neighbourhood`. Neither street nor postcode, or a postcode that is not five digits, is a 422.
        """
        return streets.lookup(query["street"], query["postcode"])
