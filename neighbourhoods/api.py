"""JSON API for neighbourhoods: a public list, needed to register."""

from flask.views import MethodView
from flask_smorest import Blueprint

from app.security import PUBLIC, serves
from neighbourhoods import services
from neighbourhoods.schemas import NeighbourhoodSchema

blp = Blueprint("api_neighbourhoods", __name__, url_prefix="/api/v1/neighbourhoods", description="Neighbourhoods")


@blp.route("")
class NeighbourhoodList(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=[])
    @blp.response(200, NeighbourhoodSchema(many=True))
    def get(self):
        """List the city's neighbourhoods with their number of households."""
        return services.list_neighbourhoods()
