"""JSON API for the resident's rights: the export of everything Civiquest holds about me."""

from flask.views import MethodView
from flask_login import current_user

from app.pagination import Blueprint
from app.security import SIGNED_IN, serves
from privacy import downloads

blp = Blueprint("api_rights", __name__, url_prefix="/api/v1", description="My data")

ZIP_DOC = {
    200: {
        "description": "A zip file of JSON and CSV files with a README.txt that explains each.",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        "headers": {"Content-Disposition": {"schema": {"type": "string"}, "description": "attachment; filename=…"}},
    }
}


@blp.route("/me/export")
class MyExport(MethodView):
    decorators = [serves(SIGNED_IN)]

    @blp.doc(responses=ZIP_DOC)
    def get(self):
        """Everything Civiquest holds about you, as a zip file (the same as the "Download my data" page).

        Profile (no password or token secrets), enrollments and submissions (JSON and CSV), the points
        ledger (CSV), vouchers, badges, season points, consents with their Kantara v1.1 receipts, the
        uses of your data, notifications and service-desk actions. Other people's names are left out.
        """
        return downloads.my_data(current_user)
