"""The utility's connector: it delivers meter readings in bulk and asks which meters it may deliver for."""

from flask import Response, current_app, request, url_for
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort

from accounts.models import Role
from app.pagination import Blueprint
from app.security import SIGNED_IN, api_client, serves
from app.spreadsheets import csv_lines
from clients.scopes import READINGS_WRITE
from connectors import formats, services
from connectors.schemas import DeliveryReportSchema, MeterLinkSchema, MetersQuerySchema, MetersSchema

blp = Blueprint("api_connectors", __name__, url_prefix="/api/v1/connectors", description="Connectors")
my_meter_blp = Blueprint("api_my_meter", __name__, url_prefix="/api/v1/me/meter", description="Connectors")
utility_only = serves(Role.ADMIN, scopes=(READINGS_WRITE,))
NDJSON, CSV = "application/x-ndjson", "text/csv"
DELIVERY_BODY = {
    "required": True,
    "description": "NDJSON (one object a line: meter_number, timestamp with offset, register_kwh; interval_kwh is "
    "ignored) or CSV with a header naming meter_number, timestamp, register_kwh. `Content-Encoding: gzip` accepted.",
    "content": {NDJSON: {"schema": {"type": "string"}}, CSV: {"schema": {"type": "string"}}},
}


@blp.route("/meter-readings")
class MeterReadings(MethodView):
    @utility_only
    @blp.response(200, DeliveryReportSchema)
    @blp.alt_response(400, description="The body cannot be read (bad gzip, not UTF-8, no CSV header)", success=False)
    @blp.alt_response(413, description="More rows or bytes than one request may carry", success=False)
    @blp.alt_response(415, description="Neither NDJSON nor CSV", success=False)
    @blp.doc(requestBody=DELIVERY_BODY)
    def post(self):
        """Deliver meter readings (the utility, scope `readings:write`): up to 100,000 rows a request.

        Only rows of meters linked and consented ("meter readings" × "challenge scoring") now are read;
        each meter keeps its day's last register value and the day's use, never the 15-minute profile.
        A meter's day delivered before is a duplicate and changes nothing, so a replayed file is harmless.
        The answer counts the rows per outcome and lists every rejected row (never who is behind a meter).
        """
        client = api_client()  # None when an admin delivers a file the utility sent otherwise
        media = (request.mimetype or "").lower()
        if media not in (NDJSON, "application/ndjson", CSV):
            abort(415, message=_("Send application/x-ndjson or text/csv."))
        encoding = (request.headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding not in ("identity", "gzip"):
            abort(415, message=_("Only gzip is accepted as a content encoding."))
        # The delivery's own bound on the compressed bytes; the row limit bounds what they inflate to.
        request.max_content_length = current_app.config["CONNECTOR_MAX_BODY_BYTES"]
        max_rows = current_app.config["CONNECTOR_MAX_ROWS"]
        lines = formats.lines(formats.chunks(request.stream, gzip=encoding == "gzip"))
        rows = formats.csv_rows(lines) if media == CSV else formats.ndjson_rows(lines)
        try:
            report = services.ingest(rows, client, max_rows, actor=None if client else current_user)
        except services.TooManyRows:
            abort(413, message=_("A delivery may hold at most %(rows)s rows; split the file.", rows=max_rows))
        except formats.DecodeError as error:
            abort(400, message=str(error))
        delivery_id = report.delivery.id
        return {**report.counts(), "days_stored": report.days_stored, "delivery_id": delivery_id,
                "rejected_report": url_for("api_connectors.RejectedRows", delivery_id=delivery_id),
                "rejected": report.rejected}  # fmt: skip


@blp.route("/deliveries/<int:delivery_id>/rejected")
class RejectedRows(MethodView):
    @utility_only
    @blp.doc(responses={"200": {"description": "CSV: row, meter_number, outcome, reason (row order)",
                                "content": {CSV: {"schema": {"type": "string"}}}}})  # fmt: skip
    @blp.alt_response(404, description="Not a delivery of this client, or past its 14 days", success=False)
    def get(self, delivery_id):
        """A delivery's rejected rows as CSV, for the client that delivered it, for 14 days after the delivery.

        Each row: its number in the delivery, the meter number as sent, the outcome and the reason; never who
        is behind a meter.
        """
        client = api_client()
        rows = services.rejected_rows(delivery_id, client, None if client else current_user)
        lines = csv_lines(("row", "meter_number", "outcome", "reason"),
                          ((row.row, row.meter_number, row.outcome, row.reason) for row in rows))  # fmt: skip
        return Response("".join(lines), mimetype=CSV, headers={
            "Content-Disposition": f'attachment; filename="delivery-{delivery_id}-rejected.csv"'})  # fmt: skip


@blp.route("/meters")
class Meters(MethodView):
    @utility_only
    @blp.arguments(MetersQuerySchema, location="query")
    @blp.response(200, MetersSchema)
    def get(self, query):
        """Meters linked and consented now (scope `readings:write`), so the utility sends only those."""
        return {"meters": services.deliverable_meters(query["changed_since"])}


@my_meter_blp.route("")
class MyMeter(MethodView):
    @serves(SIGNED_IN)
    @my_meter_blp.response(200, MeterLinkSchema)
    @my_meter_blp.alt_response(404, description="No meter is linked", success=False)
    def get(self):
        """The meter linked to my account."""
        link = services.meter_of(current_user)
        if link is None:
            abort(404, message=_("No meter is linked to your account."))
        return link

    @serves(SIGNED_IN)
    @my_meter_blp.arguments(MeterLinkSchema)
    @my_meter_blp.response(200, MeterLinkSchema)
    def put(self, data):
        """Link my meter (or change it); the utility's readings are taken once I consent to "meter readings" ×
        "challenge scoring". A meter number already linked to another account is a 422."""
        return services.link_meter(current_user, data["meter_number"], data["customer_number"])

    @serves(SIGNED_IN)
    @my_meter_blp.response(204)
    def delete(self):
        """Unlink my meter: the next delivery for it is refused at once."""
        services.unlink_meter(current_user)
