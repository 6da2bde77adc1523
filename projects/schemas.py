"""marshmallow schemas of community projects: separate shapes for what comes in and what goes out.

Inputs check types and sizes only; the services apply the rules (target range, a deadline in the
future, a known neighbourhood) and name the field of each problem.
"""

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import validate

from app.schemas import BilingualInput, ChangesSchema, StrictBoolean, enum_field, id_field, twin_field, year_between
from projects.models import ProjectStatus
from projects.services import MAX_PLEDGE, MAX_TARGET


def _whole_number(**kwargs) -> ma.fields.Integer:
    # Strict, and no wider than a 64-bit integer so nothing overflows on its way to the service.
    return ma.fields.Integer(strict=True, validate=validate.Range(min=-(2**63), max=2**63 - 1), **kwargs)


# Input -------------------------------------------------------------------------------------------


class ProjectChangesSchema(BilingualInput, ChangesSchema):
    """The fields of a project a manager may set; on PATCH only those sent change (target, deadline and
    neighbourhood only while it is open)."""

    BILINGUAL = ("title", "description")
    title = twin_field(120)
    title_en = twin_field(120, "en")
    title_de = twin_field(120, "de")
    description = twin_field(5_000)
    description_en = twin_field(5_000, "en")
    description_de = twin_field(5_000, "de")
    neighbourhood_id = id_field(allow_none=True, metadata={"description": "null: the whole city."})
    target = _whole_number(metadata={"description": f"Points, 1 to {MAX_TARGET:,}.", "minimum": 1,
                                     "maximum": MAX_TARGET})  # fmt: skip
    deadline = ma.fields.AwareDateTime(
        validate=year_between(2000, 2200), metadata={"description": "The last moment pledges are taken; in the future."}
    )


class ProjectCreateSchema(ProjectChangesSchema):
    REQUIRED_TEXTS = ("title",)

    target = _whole_number(required=True, metadata={"description": f"Points, 1 to {MAX_TARGET:,}.", "minimum": 1,
                                                    "maximum": MAX_TARGET})  # fmt: skip
    deadline = ma.fields.AwareDateTime(
        required=True, validate=year_between(2000, 2200),
        metadata={"description": "The last moment pledges are taken; in the future."},
    )  # fmt: skip


class ProjectFilterSchema(ma.Schema):
    status = enum_field(ProjectStatus)


class PledgeInSchema(ma.Schema):
    points = _whole_number(required=True, metadata={
        "description": "Points offered; the project takes only what it still needs (see `amount` in the answer).",
        "minimum": 1, "maximum": MAX_PLEDGE})  # fmt: skip
    show_name = StrictBoolean(load_default=False, metadata={"description": "List my pseudonym among the backers."})


class IdempotencyHeaderSchema(ma.Schema):
    idempotency_key = ma.fields.String(
        data_key="Idempotency-Key",
        validate=[
            validate.Length(min=1, max=100),
            validate.Regexp(r"^[\x20-\x7e]+$", error=_l("Use letters, digits and punctuation only.")),
        ],
        metadata={"description": "Send the same key again to get the first pledge instead of a second one."},
    )


# Output ------------------------------------------------------------------------------------------


class ProjectNeighbourhoodSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(dump_only=True)


class MyPartSchema(ma.Schema):
    pledged = ma.fields.Integer(dump_only=True, metadata={"description": "What you gave and did not get back."})
    may_pledge = ma.fields.Boolean(dump_only=True, metadata={"description": "Open, and you live where it is."})


class ProjectSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    title = ma.fields.String(dump_only=True, metadata={"description": "In the request's language, else the other."})
    title_en = ma.fields.String(dump_only=True)
    title_de = ma.fields.String(dump_only=True)
    description = ma.fields.String(dump_only=True)
    description_en = ma.fields.String(dump_only=True)
    description_de = ma.fields.String(dump_only=True)
    neighbourhood = ma.fields.Nested(ProjectNeighbourhoodSchema, dump_only=True, allow_none=True,
                                     metadata={"description": "null: the whole city."})  # fmt: skip
    target = ma.fields.Integer(dump_only=True)
    pledged = ma.fields.Integer(dump_only=True)
    still_needed = ma.fields.Integer(dump_only=True)
    percent = ma.fields.Integer(dump_only=True)
    deadline = ma.fields.AwareDateTime(dump_only=True)
    status = enum_field(ProjectStatus, dump_only=True)
    backer_count = ma.fields.Integer(dump_only=True)
    backers = ma.fields.List(ma.fields.String(), dump_only=True,
                             metadata={"description": "Pseudonyms of the backers who agreed to be named."})  # fmt: skip
    me = ma.fields.Nested(MyPartSchema, dump_only=True, allow_none=True, metadata={"description": "Residents only."})


class PledgeSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    project_id = ma.fields.Integer(dump_only=True)
    offered = ma.fields.Integer(dump_only=True)
    amount = ma.fields.Integer(dump_only=True, metadata={"description": "What the project took."})
    kept = ma.fields.Integer(dump_only=True, metadata={"description": "What you offered beyond what it needed."})
    show_name = ma.fields.Boolean(dump_only=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    refunded_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    project_status = enum_field(ProjectStatus, dump_only=True)
