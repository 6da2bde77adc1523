"""The events one domain announces and others react to, each declared here with what it carries.

A sender never knows who listens, and a listener never queries the sender's tables: the payload
holds every value its listeners need, as plain values. Each signal is sent inside the transaction
that made the change, after the change was flushed, with its payload as the sender:
`signal.send(payload)`, received as `def receiver(payload, **_extra)`. Receivers run in the order
they were connected; `app.wiring.connect_receivers_and_jobs` connects them and says why in that order.
"""

from collections.abc import MutableSet
from dataclasses import dataclass
from datetime import date, datetime

from blinker import NamedSignal


@dataclass(frozen=True)
class SubmissionScored:
    """What a submission counts for changed: accepted, approved, rejected after counting, or rescored."""

    submission_id: int
    user_id: int
    challenge_id: int
    challenge_title: str
    day: date  # the city-calendar day of the activity: a trip's day, a reading's local date
    units: float  # what it counts for now, in the challenge's metric
    points: int  # the points it is worth now
    units_delta: float  # now minus before
    points_delta: int  # now minus before
    counted: bool  # accepted, and so counting (not held for review, not rejected)
    new: bool = False  # scored as it was stored, in this transaction: nothing was credited for it before
    first_points: bool = False  # the resident's points in this challenge turned positive with this change


@dataclass(frozen=True)
class EnrollmentChanged:
    """An enrollment's score or `active` changed (joining, rejoining, leaving, any change of score).

    The values before and after let a listener move the participant out of where they counted and
    into where they count now.
    """

    enrollment_id: int
    challenge_id: int
    user_id: int
    score_before: float
    active_before: bool
    score: float
    active: bool


@dataclass(frozen=True)
class TeamMembershipChanged:
    """A resident's team changed: joined (or was accepted), left, was removed, or their team ended.

    The teams they counted for before and count for now: their team and, for a sub-team, its parent.
    """

    user_id: int
    teams_before: tuple[int, ...]
    teams_after: tuple[int, ...]


@dataclass(frozen=True)
class Finisher:
    """A participant still taking part when their challenge closed, with the final rank frozen then."""

    user_id: int
    score: float
    final_rank: int | None  # standard competition ranking (1, 2, 2, 4); None before ranks are frozen
    neighbourhood_id: int | None


@dataclass(frozen=True)
class NeighbourhoodPlace:
    """A ranked neighbourhood's place by score per participating household (ties share a place)."""

    neighbourhood_id: int
    rank: int


@dataclass(frozen=True)
class ChallengeClosed:
    """A challenge closed, with its rules for prizes and bonuses and its final results."""

    challenge_id: int
    title: str
    format: str  # challenges.scoring.Format: individual, neighbourhood or collective
    closed_at: datetime | None
    completion_goal: float | None  # units a participant needs for the completion bonus
    completion_bonus: int
    placement_points: tuple[int | None, ...]  # for the 1st, 2nd and 3rd place
    finishers: tuple[Finisher, ...]  # every active participant, in joining order
    neighbourhood_places: tuple[NeighbourhoodPlace, ...]  # ranked neighbourhoods, best first


@dataclass(frozen=True)
class PasswordResetRequested:
    """Someone asked for a password reset link for an account that has an email address (the answer did not say so)."""

    user_id: int
    email: str
    pseudonym: str
    language: str
    link: str  # the reset page with its secret token, as a full address or a path
    valid_minutes: int
    requested_at: datetime


@dataclass(frozen=True)
class RegistrationAttempted:
    """Someone tried to register with the email address of an existing account (the answer did not say so)."""

    user_id: int  # the account that owns the address
    attempted_at: datetime


class _ConnectionOrder(MutableSet):
    """A set that keeps the order items were added in: blinker's own set would call receivers in any order."""

    def __init__(self, items=()):
        self._items = dict.fromkeys(items)

    def __contains__(self, item) -> bool:
        return item in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item) -> None:
        self._items[item] = None

    def discard(self, item) -> None:
        self._items.pop(item, None)

    def copy(self) -> "_ConnectionOrder":
        return _ConnectionOrder(self._items)


class _Signal(NamedSignal):
    """A blinker signal whose receivers run in the order they connected."""

    set_class = _ConnectionOrder


submission_scored = _Signal(
    "submission-scored", doc="Payload SubmissionScored; sent by challenges whenever a submission's worth changes."
)
enrollment_changed = _Signal(
    "enrollment-changed", doc="Payload EnrollmentChanged; sent by challenges after an enrollment's score or state."
)
team_membership_changed = _Signal(
    "team-membership-changed",
    doc="Payload TeamMembershipChanged; sent by teams after a resident joined, left or lost a team (flushed).",
)
challenge_closed = _Signal(
    "challenge-closed",
    doc="Payload ChallengeClosed; sent by challenges once, in the transaction that closes it, after ranks froze.",
)
password_reset_requested = _Signal(
    "password-reset-requested",
    doc="Payload PasswordResetRequested; sent by accounts when an account with an email address asks for a reset.",
)
registration_attempted = _Signal(
    "registration-attempted",
    doc="Payload RegistrationAttempted; sent by accounts when a registration names an address that has an account.",
)
