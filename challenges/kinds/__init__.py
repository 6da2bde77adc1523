"""The kinds of submission, one class each, and the one registry that finds them.

Callers ask here instead of branching on "reading or trip": by a challenge (the kind its category
takes), by a submission (the kind it was sent as), or by code. A new kind is a module of this package
(its class, form, schema, CSV columns and labels) with a template of its page pieces in
`challenges/templates/challenges/kinds/`, and one entry in `KINDS` below.
"""

from challenges.kinds.base import Kind
from challenges.kinds.reading import METER_READING
from challenges.kinds.trip import TRIP
from challenges.models import Challenge, Submission, SubmissionKind

KINDS: tuple[Kind, ...] = (METER_READING, TRIP)

_BY_CODE = {kind.code: kind for kind in KINDS}
_BY_CATEGORY = {kind.category: kind for kind in KINDS}


def by_code(code: SubmissionKind | str) -> Kind:
    """The kind stored as `code`."""
    return _BY_CODE[SubmissionKind(code)]


def of_challenge(challenge: Challenge) -> Kind:
    """The kind of submission a challenge takes, by its category."""
    return _BY_CATEGORY[challenge.category]


def of_submission(submission: Submission) -> Kind:
    """The kind a submission was sent as."""
    return _BY_CODE[submission.kind]


# The API's one input shape: every kind's fields, none required; each kind then says what it lacks or
# must not carry (Kind.problems). The kinds' field validators come along by inheritance.
SubmissionCreateSchema = type(
    "SubmissionCreateSchema",
    tuple(reversed([kind.schema for kind in KINDS])),  # marshmallow lists the fields of the last base first
    {"__doc__": "A submission of the kind the challenge takes: a meter reading (energy) or a trip (mobility)."},
)
