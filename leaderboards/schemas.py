"""marshmallow schemas of leaderboards: the query arguments and the rankings as the API shows them."""

import marshmallow as ma
from marshmallow import validate

from leaderboards.models import Period


class SeasonArgumentsSchema(ma.Schema):
    window = ma.fields.String(
        load_default=Period.WEEK.value,
        validate=validate.OneOf([period.value for period in Period]),
        metadata={"description": "week (this week, from Monday), month (this month) or all (all time)."},
    )


class EntrySchema(ma.Schema):
    """One line of a challenge's ranking; hidden residents have no pseudonym, except to themselves."""

    rank = ma.fields.Integer(metadata={"description": "Standard competition ranking: ties share a rank (1, 2, 2, 4)."})
    pseudonym = ma.fields.String(allow_none=True, metadata={"description": "null for a hidden participant."})
    hidden = ma.fields.Boolean(metadata={"description": "The resident hides from public listings."})
    you = ma.fields.Boolean(metadata={"description": "This line is you."})
    score = ma.fields.Float(metadata={"description": "Units in the challenge's metric."})


class SeasonEntrySchema(EntrySchema):
    """One line of the season ranking: points from every challenge in the window."""

    class Meta:
        exclude = ("score",)

    points = ma.fields.Integer(attribute="score")


class MyRankSchema(ma.Schema):
    rank = ma.fields.Integer()
    score = ma.fields.Float()
    participants = ma.fields.Integer()
    top_percent = ma.fields.Integer(metadata={"description": "Ranked within the top this many per cent."})
    percentile = ma.fields.Float(metadata={"description": "Share of participants you outrank, in per cent."})
    above = ma.fields.List(ma.fields.Nested(EntrySchema), metadata={"description": "Up to two entries, best first."})
    below = ma.fields.List(ma.fields.Nested(EntrySchema), metadata={"description": "Up to two entries, best first."})


class SeasonMyRankSchema(MyRankSchema):
    class Meta:
        exclude = ("score",)

    points = ma.fields.Integer(attribute="score")
    above = ma.fields.List(ma.fields.Nested(SeasonEntrySchema))
    below = ma.fields.List(ma.fields.Nested(SeasonEntrySchema))


class ChallengeLeaderboardSchema(ma.Schema):
    challenge_id = ma.fields.Integer()
    participants = ma.fields.Integer(metadata={"description": "Everyone ranked: active participants."})
    entries = ma.fields.List(ma.fields.Nested(EntrySchema), metadata={"description": "This page, best first."})
    me = ma.fields.Nested(
        MyRankSchema, allow_none=True, metadata={"description": "Your rank, when you take part; else null."}
    )


class SeasonLeaderboardSchema(ma.Schema):
    window = ma.fields.String()
    period_start = ma.fields.Date(allow_none=True, metadata={"description": "The window's first day; null for all."})
    participants = ma.fields.Integer(metadata={"description": "Residents with points in the window."})
    entries = ma.fields.List(ma.fields.Nested(SeasonEntrySchema), metadata={"description": "This page, best first."})
    me = ma.fields.Nested(
        SeasonMyRankSchema, allow_none=True, metadata={"description": "Your rank, when you have points; else null."}
    )


class NeighbourhoodStandingSchema(ma.Schema):
    neighbourhood_id = ma.fields.Integer()
    name = ma.fields.String()
    ranked = ma.fields.Boolean(metadata={"description": "false: too few participants to rank or show a score."})
    rank = ma.fields.Integer(allow_none=True)
    score = ma.fields.Float(allow_none=True, metadata={"description": "Units per participating household."})
    participants = ma.fields.Integer(allow_none=True)


class NeighbourhoodLeaderboardSchema(ma.Schema):
    challenge_id = ma.fields.Integer()
    title = ma.fields.String()
    metric = ma.fields.String()
    min_participants = ma.fields.Integer(metadata={"description": "Fewer participants than this: not ranked."})
    neighbourhoods = ma.fields.List(ma.fields.Nested(NeighbourhoodStandingSchema))


class TeamArgumentsSchema(ma.Schema):
    by = ma.fields.String(
        load_default="per_member",
        validate=validate.OneOf(["per_member", "total"]),
        metadata={"description": "per_member (score per active member, the default) or total."},
    )


class TeamEntrySchema(ma.Schema):
    rank = ma.fields.Integer(metadata={"description": "Standard competition ranking: ties share a rank (1, 2, 2, 4)."})
    team_id = ma.fields.Integer()
    name = ma.fields.String()
    per_member = ma.fields.Float(metadata={"description": "Units per member taking part."})
    total = ma.fields.Float(metadata={"description": "Units of all members taking part."})
    members = ma.fields.Integer(metadata={"description": "Members taking part (at least min_members)."})
    yours = ma.fields.Boolean(metadata={"description": "Your team (or your sub-team's parent)."})


class TeamLeaderboardSchema(ma.Schema):
    challenge_id = ma.fields.Integer()
    by = ma.fields.String(metadata={"description": "What the ranking orders by: per_member or total."})
    parent_id = ma.fields.Integer(allow_none=True, metadata={"description": "Sub-teams of this team; null: all teams."})
    min_members = ma.fields.Integer(metadata={"description": "Teams with fewer members taking part are not ranked."})
    teams = ma.fields.Integer(metadata={"description": "Teams ranked."})
    too_small = ma.fields.Integer(metadata={"description": "Approved teams taking part with too few members."})
    entries = ma.fields.List(ma.fields.Nested(TeamEntrySchema), metadata={"description": "This page, best first."})
    mine = ma.fields.Nested(
        TeamEntrySchema, allow_none=True, metadata={"description": "Your team's line when it is ranked; else null."}
    )
