"""marshmallow schemas of data sharing: what comes in (a consent) and what goes out (consents, receipts, uses)."""

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from sharing.models import DURATIONS, EndReason, Level

LEVEL_DOC = "individual (pseudonymised records), neighbourhood (aggregates per neighbourhood) or city (city-wide)"


def _enum(enum_class, **kwargs) -> ma.fields.Enum:
    return ma.fields.Enum(enum_class, by_value=True, **kwargs)


def _code(**kwargs) -> ma.fields.String:
    return ma.fields.String(validate=[validate.Length(min=1, max=40), validate.Regexp(r"^[a-z_]+$")], **kwargs)


# Input --------------------------------------------------------------------------------------


class ConsentCreateSchema(ma.Schema):
    category = _code(required=True, metadata={"description": "A data category's code, e.g. energy_readings."})
    purpose = _code(required=True, metadata={"description": "A purpose's code, e.g. municipal_statistics."})
    level = _enum(Level, required=True, metadata={"description": LEVEL_DOC})
    duration_months = ma.fields.Integer(
        strict=True,
        required=True,
        validate=validate.OneOf(DURATIONS, error=str(_l("Please choose 3, 6 or 12 months."))),
        metadata={"description": "3, 6 or 12"},
    )


class ConsentFilterSchema(ma.Schema):
    all = ma.fields.Boolean(
        truthy={"true"},
        falsy={"false"},
        load_default=False,
        metadata={"description": "true: every grant ever made, with how it ended, newest first."},
    )


# Output -------------------------------------------------------------------------------------


class CategoryRefSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String(metadata={"description": "In your language."})


class PurposeRefSchema(CategoryRefSchema):
    organisation = ma.fields.String()


class ConsentSchema(ma.Schema):
    id = ma.fields.Integer()
    receipt_id = ma.fields.String(metadata={"description": "The consent receipt's id (a UUID)."})
    category = ma.fields.Nested(CategoryRefSchema)
    purpose = ma.fields.Nested(PurposeRefSchema)
    level = _enum(Level)
    duration_months = ma.fields.Integer()
    granted_at = ma.fields.AwareDateTime()
    expires_at = ma.fields.AwareDateTime()
    ended_at = ma.fields.AwareDateTime(allow_none=True)
    end_reason = _enum(EndReason, allow_none=True)
    active = ma.fields.Boolean(metadata={"description": "In force now: the gate lets this data through."})


class ControllerSchema(ma.Schema):
    piiController = ma.fields.String()
    contact = ma.fields.String()
    address = ma.fields.String()
    email = ma.fields.String()
    phone = ma.fields.String()
    piiControllerUrl = ma.fields.String()


class ReceiptPurposeSchema(ma.Schema):
    purpose = ma.fields.String()
    purposeCategory = ma.fields.List(ma.fields.String())
    consentType = ma.fields.String()
    piiCategory = ma.fields.List(ma.fields.String())
    primaryPurpose = ma.fields.Boolean()
    termination = ma.fields.String()
    thirdPartyDisclosure = ma.fields.Boolean()
    thirdPartyName = ma.fields.String(allow_none=True)
    aggregationLevel = ma.fields.String(metadata={"description": "An extension: " + LEVEL_DOC})


class ReceiptServiceSchema(ma.Schema):
    service = ma.fields.String()
    purposes = ma.fields.List(ma.fields.Nested(ReceiptPurposeSchema))


class ReceiptSchema(ma.Schema):
    """A consent receipt in the fields of the Kantara Initiative's Consent Receipt Specification v1.1."""

    version = ma.fields.String()
    jurisdiction = ma.fields.String()
    consentTimestamp = ma.fields.Integer(metadata={"description": "Seconds since 1970 (UTC)."})
    collectionMethod = ma.fields.String()
    consentReceiptID = ma.fields.String()
    language = ma.fields.String()
    piiPrincipalId = ma.fields.String(metadata={"description": "You, by a pseudonymous id."})
    piiControllers = ma.fields.List(ma.fields.Nested(ControllerSchema))
    policyUrl = ma.fields.String()
    services = ma.fields.List(ma.fields.Nested(ReceiptServiceSchema))
    sensitive = ma.fields.Boolean()
    spiCat = ma.fields.List(ma.fields.String())
    withdrawal = ma.fields.String()


class DataUseSchema(ma.Schema):
    id = ma.fields.Integer()
    created_at = ma.fields.AwareDateTime()
    organisation = ma.fields.String()
    purpose = ma.fields.Nested(CategoryRefSchema)
    level = _enum(Level)
    categories = ma.fields.List(ma.fields.String(), metadata={"description": "Codes of the data categories used."})
    resident_count = ma.fields.Integer(metadata={"description": "How many residents' data went into it."})


class CatalogueCategorySchema(ma.Schema):
    code = ma.fields.String()
    name_en = ma.fields.String()
    name_de = ma.fields.String()
    description_en = ma.fields.String()
    description_de = ma.fields.String()


class CataloguePurposeSchema(ma.Schema):
    code = ma.fields.String()
    name_en = ma.fields.String()
    name_de = ma.fields.String()
    explanation_en = ma.fields.String()
    explanation_de = ma.fields.String()
    organisation = ma.fields.String(metadata={"description": "In the request's language, else English."})
    organisation_en = ma.fields.String()
    organisation_de = ma.fields.String()
    third_party = ma.fields.Boolean(metadata={"description": "The data leaves the city administration."})


class RateSchema(ma.Schema):
    base_points = ma.fields.Integer(metadata={"description": "For a week in which the consent brought any data."})
    points_per_record = ma.fields.Integer()
    max_records = ma.fields.Integer(metadata={"description": "Records counted at most per week."})
    max_points_per_week = ma.fields.Integer()


class CatalogueLevelSchema(ma.Schema):
    code = _enum(Level)
    name = ma.fields.String(metadata={"description": "In your language."})
    explanation = ma.fields.String(metadata={"description": "In your language."})
    rate = ma.fields.Nested(RateSchema, metadata={"description": "This week's data dividend for the level."})


class CatalogueSchema(ma.Schema):
    categories = ma.fields.List(ma.fields.Nested(CatalogueCategorySchema))
    purposes = ma.fields.List(ma.fields.Nested(CataloguePurposeSchema))
    levels = ma.fields.List(ma.fields.Nested(CatalogueLevelSchema), metadata={"description": "Most detailed first."})
    durations = ma.fields.List(ma.fields.Integer(), metadata={"description": "Months a consent may run."})
    week_start = ma.fields.Date(metadata={"description": "The Monday the rates apply to."})
