"""JSON API of data sharing: my consents, their receipts, and the uses of my data."""

from app.pagination import Blueprint

blp = Blueprint("api_sharing", __name__, url_prefix="/api/v1", description="Data sharing")
