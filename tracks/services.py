"""Track uploads: each track of a GPX file becomes a trip through the trip kind, and, only with the resident's live
consent to "routes" × "cycling and walking network planning" at city level, counts on the route grid.

Minimised: a trip keeps its day, mode, distance and whether it replaced a car; the file and its points are
dropped when the upload is handled (never written to disk or to the database). The grid keeps counts per
(H3 cell, ISO week, mode, hour band) and one keyed-hash contributor per cell (tracks.models), without the cells
around where each recording started and stopped. Only walking and cycling tracks reach the grid: the purpose
is the walking and cycling network.
"""

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from accounts.models import User
from app.clock import city_zone, local_date, week_start
from app.columns import utcnow
from app.extensions import db
from app.upserts import dialect_insert, upsert_adding
from challenges.errors import ChallengeError
from challenges.kinds.base import CLOCK_SKEW
from challenges.kinds.trip import TRIP
from challenges.models import Challenge, Enrollment, Status, SubmissionStatus
from challenges.scoring import REPLACES_CAR, Category, Mode
from sharing import gate
from sharing.models import Level
from sharing.services import add_months
from tracks import gpx
from tracks.errors import TrackRefused
from tracks.models import RouteCell, RouteUpload, RouteWeek

CATEGORY, PURPOSE, LEVEL = "routes", "network_planning", Level.CITY
SOURCE = "track"
GRID_MODES = (Mode.WALK, Mode.BIKE)
BATCH = 500


@dataclass
class Outcome:
    """What one challenge made of a track's trip."""

    challenge: str
    status: str  # accepted | flagged | refused
    points: int = 0
    message: str = ""


@dataclass
class TrackResult:
    number: int
    day: date
    distance_km: float
    outcomes: list[Outcome] = field(default_factory=list)
    on_grid: bool = False


@dataclass
class Upload:
    tracks: list[TrackResult]
    shared: bool  # the resident's consent let the tracks reach the route grid


def contributor(user_id: int, cell: str) -> str:
    """The keyed hash standing for a resident in one cell: equal for the same pair, unlinkable across cells."""
    key = (current_app.config.get("ROUTE_GRID_KEY") or current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"route-cell|{user_id}|{cell}".encode(), hashlib.sha256).hexdigest()[:32]


def upload(user: User, content: bytes, mode: str, replaced_car: bool, now: datetime | None = None) -> Upload:
    """Read a GPX file and send each of its tracks as a trip to the resident's running mobility challenges.

    The whole file is refused (TrackRefused) when it cannot be read, has no timestamps or holds a track from the
    future; then nothing is stored. The grid is asked the consent gate now, at the moment of upload.
    """
    now = now or utcnow()
    mode = _mode(mode)
    if replaced_car and mode not in REPLACES_CAR:
        message = _l("A trip by car alone does not replace a car trip: untick the box, or say how you travelled.")
        raise TrackRefused(message, "replaced_car")
    try:
        tracks = gpx.parse(content)
    except gpx.UnreadableTrack as unreadable:
        raise TrackRefused(unreadable.message, "file") from None
    if any(track.started_at > now + CLOCK_SKEW for track in tracks):
        raise TrackRefused(_l("A track cannot be in the future."), "file")
    enrollments = _running_mobility(user)
    results = [_send(track, enrollments, mode, replaced_car, now) for track in tracks]
    shared = mode in GRID_MODES and gate.is_allowed(user.id, CATEGORY, PURPOSE, LEVEL, now)
    if shared:
        _add_to_grid(user, tracks, results, mode)
    return Upload(results, shared)


def _mode(text: str) -> Mode:
    try:
        return Mode(text)
    except ValueError:
        raise TrackRefused(_l("Choose how you travelled from the list."), "mode") from None


def _running_mobility(user: User) -> list[Enrollment]:
    """The resident's own enrollments in mobility challenges that take trips now."""
    return list(db.session.scalars(
        select(Enrollment).join(Challenge, Challenge.id == Enrollment.challenge_id)
        .where(Enrollment.user_id == user.id, Enrollment.active.is_(True), Challenge.category == Category.MOBILITY,
               Challenge.status == Status.ACTIVE)
        .order_by(Enrollment.id)
    ))  # fmt: skip


def _send(track: gpx.Track, enrollments: list[Enrollment], mode: Mode, replaced_car: bool, now) -> TrackResult:
    """The track as a trip to each challenge, each on its own savepoint so one refusal loses no other."""
    result = TrackResult(track.number, track.day, round(track.distance_km, 3))
    values = {"day": track.day, "mode": mode, "distance_km": result.distance_km, "replaced_car": replaced_car,
              "trip_time": None, "sustained_kmh": track.sustained_kmh}  # fmt: skip
    for enrollment in enrollments:
        title = enrollment.challenge.title
        try:
            with db.session.begin_nested():
                submission, _created = TRIP.submit(enrollment, values, source=SOURCE, now=now)
        except ChallengeError as refusal:
            result.outcomes.append(Outcome(title, "refused", message=str(refusal.message)))
            continue
        if submission.status == SubmissionStatus.FLAGGED:
            result.outcomes.append(Outcome(title, "flagged", message=submission.flag_reason or ""))
        else:
            result.outcomes.append(Outcome(title, "accepted", submission.points))
    return result


def _fingerprint(user: User, track: gpx.Track) -> str:
    """A keyed hash of who and which track (its start and length), so the same track never counts twice."""
    return contributor(user.id, f"upload|{track.started_at.isoformat()}|{round(track.distance_km * 1000)}")


def _add_to_grid(user: User, tracks: list[gpx.Track], results: list[TrackResult], mode: Mode) -> None:
    """Count each new track once per (cell, week, hour band) it passed; a track sent before adds nothing."""
    counts: Counter = Counter()
    weeks: Counter = Counter()
    for track, result in zip(tracks, results, strict=True):
        if not track.passes or not _first_time(user, track):
            continue
        result.on_grid = True
        weeks[week_start(track.day)] += 1
        for cell, band, week in track.passes:
            counts[(cell, week, band)] += 1
    rows = [{"cell": cell, "week": week, "mode": mode.value, "hour_band": band,
             "contributor": contributor(user.id, cell), "tracks": n}
            for (cell, week, band), n in sorted(counts.items())]  # fmt: skip
    keys = ("cell", "week", "mode", "hour_band", "contributor")
    for start in range(0, len(rows), BATCH):
        upsert_adding(RouteCell.__table__, rows[start : start + BATCH], keys, "tracks")
    if weeks:
        week_rows = [{"user_id": user.id, "week": week, "tracks": n} for week, n in sorted(weeks.items())]
        upsert_adding(RouteWeek.__table__, week_rows, ("user_id", "week"), "tracks")
    db.session.flush()


def _first_time(user: User, track: gpx.Track) -> bool:
    """Note the track as counted; False when it was counted before (two uploads at once: one wins)."""
    statement = dialect_insert(RouteUpload.__table__).values(user_id=user.id, fingerprint=_fingerprint(user, track))
    inserted = statement.on_conflict_do_nothing().returning(RouteUpload.__table__.c.user_id)
    return db.session.execute(inserted).scalar() is not None


# Erasure and withdrawal ------------------------------------------------------------------------


def erase_contributions(user_id: int) -> int:
    """Remove a resident's counts from the grid (found again through the keyed hash), their weeks and uploads."""
    cells = list(db.session.scalars(select(RouteCell.cell).distinct()))
    hashes = [contributor(user_id, cell) for cell in cells]
    removed = 0
    for start in range(0, len(hashes), BATCH):
        removed += db.session.execute(
            delete(RouteCell).where(RouteCell.contributor.in_(hashes[start : start + BATCH]))
        ).rowcount
    db.session.execute(delete(RouteWeek).where(RouteWeek.user_id == user_id))
    db.session.execute(delete(RouteUpload).where(RouteUpload.user_id == user_id))
    db.session.flush()
    return removed


def purge_before_use(now: datetime | None = None) -> int:
    """Before any use: counts older than the retention period go, and so do residents whose consent ended."""
    now = now or utcnow()
    oldest = week_start(local_date(add_months(now, -current_app.config["RETENTION_MONTHS"])))
    db.session.execute(delete(RouteCell).where(RouteCell.week < oldest))
    db.session.execute(delete(RouteWeek).where(RouteWeek.week < oldest))
    return purge_withdrawn(now)


def purge_withdrawn(now: datetime | None = None) -> int:
    """Residents whose consent is no longer in force leave the grid; how many left."""
    withdrawn = db.session.scalars(
        select(RouteWeek.user_id).where(RouteWeek.user_id.not_in(gate.allowed(CATEGORY, PURPOSE, LEVEL, now)))
        .distinct()
    ).all()  # fmt: skip
    for user_id in withdrawn:
        erase_contributions(user_id)
    return len(withdrawn)


def contributors_between(first_week: date, last_week: date, now: datetime | None = None) -> set[int]:
    """The residents who shared tracks in the weeks and consent now: whom a use of those weeks rests on."""
    query = select(RouteWeek.user_id).where(
        RouteWeek.week >= first_week, RouteWeek.week <= last_week,
        RouteWeek.user_id.in_(gate.allowed(CATEGORY, PURPOSE, LEVEL, now)),
    )  # fmt: skip
    return set(db.session.scalars(query))


def records_between(user_ids: list[int], begin: datetime, end: datetime) -> dict[int, int]:
    """Tracks each resident added to the grid in the weeks starting in [begin, end): the data dividend's records."""
    first, last = week_start(begin.astimezone(city_zone()).date()), end.astimezone(city_zone()).date()
    rows = db.session.execute(
        select(RouteWeek.user_id, func.sum(RouteWeek.tracks))
        .where(RouteWeek.user_id.in_(user_ids), RouteWeek.week >= first, RouteWeek.week < last)
        .group_by(RouteWeek.user_id)
    )
    return {user_id: int(tracks) for user_id, tracks in rows.all()}
