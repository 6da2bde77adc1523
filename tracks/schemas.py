"""The track upload's API shapes."""

import marshmallow as ma
from flask_smorest.fields import Upload

from challenges.schemas import enum_field
from challenges.scoring import Mode


class TrackUploadSchema(ma.Schema):
    """multipart/form-data: the GPX or FIT file, how you travelled, and whether the trips replaced car trips."""

    file = Upload(metadata={"description": "A GPX file (at most 5 MB, 20 tracks, 50,000 points), each track with "
                            "timestamps, or a FIT file (one track). Never stored."})  # fmt: skip
    mode = enum_field(Mode, required=True, metadata={"description": "How you travelled, for every track of the file."})
    replaced_car = ma.fields.Boolean(load_default=False, metadata={"description": "Whether the trips replaced car "
                                                                   "trips (true/false)."})  # fmt: skip


class OutcomeSchema(ma.Schema):
    challenge = ma.fields.String(metadata={"description": "The challenge's title."})
    status = ma.fields.String(metadata={"description": "accepted, flagged (held for review) or refused."})
    points = ma.fields.Integer()
    message = ma.fields.String(metadata={"description": "Why it was held or refused."})


class TrackResultSchema(ma.Schema):
    number = ma.fields.Integer(metadata={"description": "The track's place in the file, from 1."})
    day = ma.fields.Date(metadata={"description": "The city day it started on."})
    distance_km = ma.fields.Float()
    on_grid = ma.fields.Boolean(metadata={"description": "Whether it was added to the route grid (with consent)."})
    outcomes = ma.fields.List(ma.fields.Nested(OutcomeSchema))


class UploadResultSchema(ma.Schema):
    tracks = ma.fields.List(ma.fields.Nested(TrackResultSchema))
    shared = ma.fields.Boolean(metadata={"description": "Whether your consent let the tracks reach the route grid."})
