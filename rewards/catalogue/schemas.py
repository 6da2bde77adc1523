"""marshmallow schemas of the reward catalogue: separate shapes for what comes in and what goes out.

Inputs check types and sizes only; the services apply the rules (cost range, known partner …)
and name the field of each problem.
"""

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from app.schemas import (
    BilingualInput,
    ChangesSchema,
    StrictBoolean,
    enum_field,
    id_field,
    text_field,
    twin_field,
    year_between,
)
from rewards.catalogue.services import MAX_COST, MAX_STOCK
from rewards.models import PartnerKind, VoucherStatus

_plausible_year = year_between(1900, 2999)  # no reward lies outside
REFUSAL_RULES = ("not_available", "limit_reached", "insufficient_points", "sold_out")


def _query_flag(description: str) -> ma.fields.Boolean:
    return ma.fields.Boolean(
        truthy={"true"}, falsy={"false"}, load_default=False, metadata={"description": description}
    )


def _whole_number(**kwargs) -> ma.fields.Integer:
    # Strict, and no wider than a 64-bit integer so nothing overflows on its way to the service.
    return ma.fields.Integer(strict=True, validate=validate.Range(min=-(2**63), max=2**63 - 1), **kwargs)


def _between(low: int, high: int) -> dict:
    # The range the service enforces (with its own rule and message), stated in the OpenAPI description.
    return {"minimum": low, "maximum": high}


# Input --------------------------------------------------------------------------------------


class PartnerCreateSchema(ma.Schema):
    name = text_field(120, required=True, metadata={"description": "The name in English; unique."})
    name_de = text_field(120, load_default="", metadata={"description": "The name in German, where it differs."})
    kind = enum_field(PartnerKind, load_default=PartnerKind.OTHER)


class RewardUpdateSchema(BilingualInput, ChangesSchema):
    """The fields of a reward a manager may set; on PATCH only those sent change."""

    BILINGUAL = ("title", "description")
    partner_id = id_field()
    title = twin_field(120)
    title_en = twin_field(120, "en")
    title_de = twin_field(120, "de")
    description = twin_field(10_000)
    description_en = twin_field(10_000, "en")
    description_de = twin_field(10_000, "de")
    cost = _whole_number(metadata={"description": "Points, 1 to 1,000,000.", **_between(1, MAX_COST)})
    stock = _whole_number(
        allow_none=True,
        metadata={"description": "Items left to redeem, 0 to 1,000,000; null for unlimited.", **_between(0, MAX_STOCK)},
    )
    per_resident_limit = _whole_number(
        allow_none=True,
        metadata={"description": "Live vouchers one resident may hold; null for no limit.", **_between(1, MAX_STOCK)},
    )
    valid_until = ma.fields.AwareDateTime(
        allow_none=True, validate=_plausible_year, metadata={"description": "Last moment to redeem; null for ever."}
    )
    active = StrictBoolean()


class RewardCreateSchema(RewardUpdateSchema):
    REQUIRED_TEXTS = ("title",)
    partner_id = id_field(required=True)
    cost = _whole_number(required=True, metadata={"description": "Points, 1 to 1,000,000.", **_between(1, MAX_COST)})


class RewardFilterSchema(ma.Schema):
    affordable = _query_flag("Only what costs no more than your balance (needs a log-in).")
    partner_id = ma.fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    include_unavailable = _query_flag("Managers: also inactive rewards and those past their end.")


class IdempotencyHeaderSchema(ma.Schema):
    idempotency_key = ma.fields.String(
        data_key="Idempotency-Key",
        validate=[
            validate.Length(min=1, max=100),
            validate.Regexp(r"^[\x20-\x7e]+$", error=_l("Use letters, digits and punctuation only.")),
        ],
        metadata={"description": "Send the same key again to get the first voucher instead of a second one."},
    )


class VoucherFilterSchema(ma.Schema):
    status = enum_field(VoucherStatus)


# Output -------------------------------------------------------------------------------------


class PartnerSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String(metadata={"description": "In the request's language, else the other one."})
    name_en = ma.fields.String()
    name_de = ma.fields.String()
    kind = enum_field(PartnerKind)


class MyRewardSchema(ma.Schema):
    redeemed = ma.fields.Integer(metadata={"description": "Live (issued or used) vouchers you hold for it."})
    can_redeem = ma.fields.Boolean()
    reason_if_not = ma.fields.String(
        allow_none=True,
        metadata={"description": "The rule redeeming would break now: " + ", ".join(REFUSAL_RULES) + "."},
    )


class RewardSchema(ma.Schema):
    id = ma.fields.Integer()
    partner = ma.fields.Nested(PartnerSchema)
    title = ma.fields.String(metadata={"description": "In the request's language, else the other one."})
    title_en = ma.fields.String()
    title_de = ma.fields.String()
    description = ma.fields.String(metadata={"description": "In the request's language, else the other one."})
    description_en = ma.fields.String()
    description_de = ma.fields.String()
    cost = ma.fields.Integer()
    stock = ma.fields.Integer(allow_none=True, metadata={"description": "Left to redeem; null for unlimited."})
    sold_out = ma.fields.Boolean()
    per_resident_limit = ma.fields.Integer(allow_none=True)
    valid_until = ma.fields.AwareDateTime(allow_none=True)
    active = ma.fields.Boolean()
    me = ma.fields.Nested(
        MyRewardSchema,
        allow_none=True,
        metadata={"description": "Residents: your vouchers and whether you can redeem."},
    )


class VoucherRewardSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    partner = ma.fields.Nested(PartnerSchema)


class VoucherSchema(ma.Schema):
    code = ma.fields.String(metadata={"description": "16 characters in groups of four, e.g. 7K3M-…"})
    status = enum_field(VoucherStatus)
    reward = ma.fields.Nested(VoucherRewardSchema)
    cost = ma.fields.Integer(metadata={"description": "Points paid."})
    issued_at = ma.fields.AwareDateTime()
    expires_at = ma.fields.AwareDateTime()
    used_at = ma.fields.AwareDateTime(allow_none=True)
    closed_at = ma.fields.AwareDateTime(allow_none=True, metadata={"description": "When cancelled or expired."})


class ProblemSchema(ma.Schema):
    rule = ma.fields.String(metadata={"description": "used, cancelled or expired"})
    message = ma.fields.String()


class VoucherCheckSchema(VoucherSchema):
    usable = ma.fields.Boolean(metadata={"description": "Validating it now would succeed."})
    problem = ma.fields.Nested(ProblemSchema, allow_none=True, metadata={"description": "Why not, when not usable."})
