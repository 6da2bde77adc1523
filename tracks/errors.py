"""What the track upload refuses."""

from app.errors import DomainError


class TrackError(DomainError):
    """Any refusal of the track upload."""


class TrackRefused(TrackError):
    """The file (or a field beside it) cannot be used; `field` names the input, `message` says why."""

    rule = "track_refused"
