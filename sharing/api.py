"""JSON API of data sharing: my consents, their receipts, the uses of my data, and the public catalogue."""

from flask import url_for
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest.pagination import Page
from sqlalchemy import select

from app.columns import utcnow
from app.extensions import db
from app.pagination import Blueprint, page_of
from app.security import PUBLIC, SIGNED_IN, serves, viewer
from sharing import credits, display, errors, gate, receipts, services, uses
from sharing.models import DURATIONS, Consent, DataCategory, DataUse, Level, Purpose
from sharing.schemas import (
    CatalogueSchema,
    ConsentCreateSchema,
    ConsentFilterSchema,
    ConsentSchema,
    DataUseSchema,
    ReceiptSchema,
)

blp = Blueprint("api_sharing", __name__, url_prefix="/api/v1", description="Data sharing")

UNKNOWN = {
    "category": _l("No active data category has this code."),
    "purpose": _l("No active purpose has this code."),
}


def _shown(consent: Consent, now) -> dict:
    """A consent as the API shows it, names in the reader's language."""
    category, purpose = consent.category, consent.purpose
    return {
        "id": consent.id, "receipt_id": consent.receipt_id,
        "category": {"code": category.code, "name": display.name(category)},
        "purpose": {"code": purpose.code, "name": display.name(purpose), "organisation": purpose.organisation},
        "level": consent.level, "duration_months": consent.duration_months, "granted_at": consent.granted_at,
        "expires_at": consent.expires_at, "ended_at": consent.ended_at, "end_reason": consent.end_reason,
        "active": gate.is_in_force(consent, now),
    }  # fmt: skip


def _by_code(model, code: str, field: str):
    """An active catalogue entry by its code; a 422 naming `field` otherwise."""
    entry = db.session.scalar(select(model).where(model.code == code, model.active))
    if entry is None:
        raise errors.InvalidConsent({field: UNKNOWN[field]})
    return entry


# My consents ------------------------------------------------------------------------------


@blp.route("/me/consents")
class MyConsents(MethodView):
    @serves(SIGNED_IN)
    @blp.arguments(ConsentFilterSchema, location="query")
    @blp.response(200, ConsentSchema(many=True))
    @blp.paginate(Page)
    def get(self, filters):
        """Your consents in force; with `all=true` every grant you ever made, newest first, with how it ended."""
        now = utcnow()
        user = viewer()
        found = services.consent_history(user) if filters["all"] else services.active_consents(user, now)
        return [_shown(consent, now) for consent in found]

    @serves(SIGNED_IN)
    @blp.arguments(ConsentCreateSchema)
    @blp.response(201, ConsentSchema)
    @blp.alt_response(200, schema=ConsentSchema, description="Exactly this consent was in force already.")
    def post(self, data):
        """Share a data category with a purpose at a level for 3, 6 or 12 months; it takes effect at once.

        A different consent in force for the same category and purpose ends (`changed`) and the new
        one starts; sending exactly the one in force changes nothing and answers 200.
        """
        now = utcnow()
        category = _by_code(DataCategory, data["category"], "category")
        purpose = _by_code(Purpose, data["purpose"], "purpose")
        consent = services.grant(viewer(), category, purpose, data["level"], data["duration_months"], method="api",
                                 now=now)  # fmt: skip
        return _shown(consent, now), 201 if consent.granted_at == now else 200


@blp.route("/me/consents/<int:consent_id>")
class MyConsent(MethodView):
    @serves(SIGNED_IN)
    @blp.response(204)
    @blp.alt_response(404, description="No such consent of yours.")
    @blp.alt_response(409, description="The consent has already ended.")
    def delete(self, consent_id):
        """Withdraw a consent at once: from this moment no use of data lets it through."""
        services.revoke(services.own_consent(viewer(), consent_id))


@blp.route("/me/consents/<int:consent_id>/receipt")
class MyReceipt(MethodView):
    @serves(SIGNED_IN)
    @blp.response(200, ReceiptSchema)
    @blp.alt_response(404, description="No such consent of yours.")
    def get(self, consent_id):
        """The consent receipt of one grant, in the Kantara Consent Receipt v1.1 fields."""
        consent = services.own_consent(viewer(), consent_id)
        policy_url = url_for("sharing.privacy", _external=True)
        return receipts.receipt(consent, policy_url, url_for("sharing.consents", _external=True))


# The uses of my data ----------------------------------------------------------------------


@blp.route("/me/data-uses")
class MyDataUses(MethodView):
    @serves(SIGNED_IN)
    @blp.response(200, DataUseSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Every use of your data, newest first: when, by which organisation, for what, at which level."""
        found: list[DataUse] = page_of(uses.uses_of(viewer()), pagination_parameters)
        return [
            {"id": use.id, "created_at": use.created_at, "organisation": use.organisation,
             "purpose": {"code": use.purpose.code, "name": display.name(use.purpose)}, "level": use.level,
             "categories": use.categories, "resident_count": use.resident_count}
            for use in found
        ]  # fmt: skip


# The catalogue ----------------------------------------------------------------------------


@blp.route("/data/catalogue")
class Catalogue(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=[{}])
    @blp.response(200, CatalogueSchema)
    def get(self):
        """What residents can share (categories), for what (purposes, in English and German), the levels with
        this week's rates, and the durations. Public."""
        week_start = display.this_week(utcnow())
        return {
            "categories": services.categories(), "purposes": services.purposes(),
            "levels": [_level(level, week_start) for level in Level], "durations": list(DURATIONS),
            "week_start": week_start,
        }  # fmt: skip


def _level(level: Level, week_start) -> dict:
    base, per_record, cap = credits.rate_for(level, week_start)
    rate = {"base_points": base, "points_per_record": per_record, "max_records": cap,
            "max_points_per_week": base + per_record * cap}  # fmt: skip
    return {"code": level, "name": str(display.LEVEL_LABELS[level]),
            "explanation": str(display.LEVEL_EXPLANATIONS[level]), "rate": rate}  # fmt: skip
