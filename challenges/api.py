"""JSON API of challenges under /api/v1/challenges."""

from flask_smorest import Blueprint

blp = Blueprint("api_challenges", __name__, url_prefix="/api/v1/challenges", description="Challenges")
