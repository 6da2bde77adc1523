"""JSON API for the resident's rights: the export of everything Civiquest holds about me."""

from app.pagination import Blueprint

blp = Blueprint("api_rights", __name__, url_prefix="/api/v1", description="My data")
