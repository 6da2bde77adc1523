"""marshmallow schemas of teams: what comes in (founding, joining, reports, moderation) and what goes out."""

import marshmallow as ma

from app.schemas import ChangesSchema, StrictBoolean, enum_field, text_field
from teams.models import MemberState, TeamKind, TeamStatus

ACTIONS = ("accept", "decline", "remove", "captain")


class TeamInSchema(ma.Schema):
    name = text_field(60, min_length=1, required=True)
    kind = enum_field(TeamKind, required=True)
    description = text_field(1000, load_default=None, allow_none=True)
    is_open = StrictBoolean(load_default=False, metadata={"description": "Residents may ask to join."})


class SubTeamInSchema(ma.Schema):
    name = text_field(60, min_length=1, required=True)
    description = text_field(1000, load_default=None, allow_none=True)
    is_open = StrictBoolean(load_default=False, metadata={"description": "Residents may ask to join."})


class ContributionSchema(ma.Schema):
    shows = StrictBoolean(
        required=True, metadata={"description": "Show your contribution to your team's captain (off by default)."}
    )


class JoinSchema(ma.Schema):
    code = text_field(40, min_length=1, required=True, metadata={"description": "The invitation code."})


class ReportSchema(ma.Schema):
    reason = text_field(500, min_length=1, required=True)


class ModerationSchema(ChangesSchema):
    name = text_field(60, min_length=1)
    status = enum_field(TeamStatus)


class MemberSchema(ma.Schema):
    user_id = ma.fields.Integer(dump_only=True)
    pseudonym = ma.fields.String(dump_only=True)
    state = enum_field(MemberState, dump_only=True)
    captain = ma.fields.Boolean(dump_only=True)


class SubTeamSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(dump_only=True)
    status = enum_field(TeamStatus, dump_only=True)
    member_count = ma.fields.Integer(dump_only=True)


class TeamSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    parent_id = ma.fields.Integer(dump_only=True, allow_none=True, metadata={"description": "A sub-team's parent."})
    name = ma.fields.String(dump_only=True)
    kind = enum_field(TeamKind, dump_only=True)
    description = ma.fields.String(dump_only=True, allow_none=True)
    status = enum_field(TeamStatus, dump_only=True)
    is_open = ma.fields.Boolean(dump_only=True)
    member_count = ma.fields.Integer(dump_only=True)
    invite_code = ma.fields.String(
        dump_only=True, allow_none=True, metadata={"description": "Only for the team's captain; null for others."}
    )
    members = ma.fields.List(
        ma.fields.Nested(MemberSchema),
        dump_only=True,
        metadata={"description": "Members and (for the captain) requests; empty for outsiders."},
    )
    sub_teams = ma.fields.List(
        ma.fields.Nested(SubTeamSchema),
        dump_only=True,
        metadata={"description": "Approved sub-teams; every sub-team for the team's members and managers."},
    )
    shows_contribution = ma.fields.Boolean(
        dump_only=True, allow_none=True, metadata={"description": "Your own setting, when you are a member; else null."}
    )


class TeamListSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(dump_only=True)
    kind = enum_field(TeamKind, dump_only=True)
