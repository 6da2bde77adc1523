"""Running challenges: create, edit, publish, cancel, the lifecycle jobs, joining and leaving.

Plain functions over models and values; they flush and never commit (the request or job does).
"""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from accounts.models import Role, User
from app.columns import utcnow
from app.extensions import db
from challenges import errors
from challenges.models import (
    Challenge,
    ChallengeChange,
    Enrollment,
    NeighbourhoodScore,
    Status,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from challenges.scoring import (
    METRICS_BY_CATEGORY,
    Category,
    Format,
    Metric,
    baseline_from_readings,
    reference_daily_kwh,
)
from challenges.signals import challenge_closed, enrollment_changed

EDITABLE_FIELDS = (
    "title", "description", "category", "metric", "format", "starts_at", "ends_at", "points_per_unit",
    "daily_point_cap", "target", "completion_goal", "completion_bonus", "placement_points",
    "max_kwh_per_day", "max_km_per_day",
)  # fmt: skip
# Once a challenge runs, changing the rules would be unfair to those already taking part.
EDITABLE_WHILE_ACTIVE = ("description", "ends_at")
REQUIRED_TO_PUBLISH = ("title", "description", "category", "metric", "format", "starts_at", "ends_at")
BASELINE_LOOKBACK = timedelta(days=365)


def get_challenge(challenge_id: int) -> Challenge:
    challenge = db.session.get(Challenge, challenge_id)
    if challenge is None:
        raise errors.NotFound()
    return challenge


# Who sees what -----------------------------------------------------------------------------


def sees_drafts(viewer: User | None) -> bool:
    """Managers (and admins) see every challenge; everyone else only what was published."""
    return viewer is not None and viewer.has_role(Role.MANAGER)


def is_public(challenge: Challenge) -> bool:
    """Published once: scheduled, active, closed, or cancelled after publishing."""
    return challenge.is_published or (challenge.status == Status.CANCELLED and challenge.published_at is not None)


def get_visible_challenge(challenge_id: int, viewer: User | None) -> Challenge:
    """A challenge the viewer may see; unpublished ones do not exist for residents (NotFound)."""
    challenge = get_challenge(challenge_id)
    if not (is_public(challenge) or sees_drafts(viewer)):
        raise errors.NotFound()
    return challenge


def list_challenges(
    viewer: User | None, category=None, status=None, open_to_me: bool = False, now: datetime | None = None
) -> Select:
    """The challenges `viewer` may see, filtered; running first, then upcoming, then past, each by end.

    `open_to_me` keeps the challenges the viewer can join right now (scheduled or active and not
    yet ended; residents and admins, and anonymous visitors, who could after logging in) or has
    joined and that are still running. A manager or staff member joins nothing, so for them it
    keeps only what they joined back when they were a resident.
    """
    query = select(Challenge)
    if not sees_drafts(viewer):
        query = query.where(
            or_(
                Challenge.status.in_((Status.SCHEDULED, Status.ACTIVE, Status.CLOSED)),
                and_(Challenge.status == Status.CANCELLED, Challenge.published_at.is_not(None)),
            )
        )
    if category is not None:
        query = query.where(Challenge.category == category)
    if status is not None:
        query = query.where(Challenge.status == status)
    if open_to_me:
        query = query.where(
            Challenge.status.in_((Status.SCHEDULED, Status.ACTIVE)), Challenge.ends_at > (now or utcnow())
        )
        if viewer is not None and not viewer.has_role(Role.RESIDENT):
            query = query.where(_joined(viewer))
    return query.order_by(_STATUS_ORDER, Challenge.ends_at, Challenge.id.desc())


def _joined(viewer: User):
    return exists().where(
        Enrollment.challenge_id == Challenge.id, Enrollment.user_id == viewer.id, Enrollment.active.is_(True)
    )


# Running first, then upcoming, then the past; drafts last.
_STATUS_ORDER = case(
    *((Challenge.status == status, rank) for rank, status in enumerate(
        (Status.ACTIVE, Status.SCHEDULED, Status.CLOSED, Status.CANCELLED, Status.DRAFT)
    ))
)  # fmt: skip


def enrollments_by_challenge(user: User | None, challenge_ids: list[int]) -> dict[int, Enrollment]:
    """The user's enrollments (current or left) in these challenges, by challenge id, in one query."""
    if user is None or not challenge_ids:
        return {}
    rows = db.session.scalars(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.challenge_id.in_(challenge_ids))
    )
    return {enrollment.challenge_id: enrollment for enrollment in rows}


def progress(challenge: Challenge) -> float | None:
    """A collective challenge's share of its target reached (1.0 = target met, may exceed it); else None."""
    if challenge.format != Format.COLLECTIVE or not challenge.target:
        return None
    return challenge.total_units / challenge.target


def _field_errors(values: dict) -> dict:
    """Check the rules every challenge must keep, published or not; returns {field: message}."""
    problems = {}
    title = values.get("title")
    if title is not None and not 3 <= len(title.strip()) <= 120:
        problems["title"] = _l("The title needs 3 to 120 characters.")
    category, metric = values.get("category"), values.get("metric")
    if category and metric and Metric(metric) not in METRICS_BY_CATEGORY[Category(category)]:
        problems["metric"] = _l("This metric does not fit the category.")
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if starts_at and ends_at and ends_at <= starts_at:
        problems["ends_at"] = _l("The end must be after the start.")
    if values.get("points_per_unit") is not None and not 0 <= values["points_per_unit"] <= 10_000:
        problems["points_per_unit"] = _l("Points per unit must be between 0 and 10,000.")
    if values.get("daily_point_cap") is not None and values["daily_point_cap"] < 1:
        problems["daily_point_cap"] = _l("The daily cap must be at least 1, or empty for no cap.")
    for name in ("target", "completion_goal", "max_kwh_per_day", "max_km_per_day"):
        if values.get(name) is not None and values[name] <= 0:
            problems[name] = _l("Must be greater than zero.")
    if values.get("completion_bonus") is not None and values["completion_bonus"] < 0:
        problems["completion_bonus"] = _l("Must not be negative.")
    placement = values.get("placement_points")
    if placement is not None and (len(placement) != 3 or any(p is None or p < 0 for p in placement)):
        problems["placement_points"] = _l("Give points for the 1st, 2nd and 3rd place, zero or more each.")
    return problems


def _missing_fields(values: dict) -> list[str]:
    """The fields a challenge needs before it can be published (and keeps needing after)."""
    missing = [name for name in REQUIRED_TO_PUBLISH if values.get(name) in (None, "")]
    if values.get("format") == Format.COLLECTIVE and not values.get("target"):
        missing.append("target")
    return missing


def _values_of(challenge: Challenge) -> dict:
    return {name: getattr(challenge, name) for name in EDITABLE_FIELDS}


def create_challenge(author: User, **fields) -> Challenge:
    """Create a draft; incomplete is fine until publishing, broken rules are not."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not challenge fields: {sorted(unknown)}")
    if problems := _field_errors(fields):
        raise errors.InvalidChallenge(problems)
    challenge = Challenge(created_by=author, **fields)
    if challenge.placement_points is None:
        challenge.placement_points = [0, 0, 0]
    db.session.add(challenge)
    db.session.flush()
    return challenge


def update_challenge(challenge: Challenge, editor: User, now: datetime | None = None, **changes) -> Challenge:
    """Edit a challenge within what its status allows; edits after publishing are logged."""
    now = now or utcnow()
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not challenge fields: {sorted(unknown)}")
    changes = {name: value for name, value in changes.items() if getattr(challenge, name) != value}
    if challenge.status in (Status.CLOSED, Status.CANCELLED) and changes:
        raise errors.NotEditable()
    if challenge.status == Status.ACTIVE:
        locked = [name for name in changes if name not in EDITABLE_WHILE_ACTIVE]
        if locked:
            raise errors.ScoringLocked(field=locked[0])
        if "ends_at" in changes and changes["ends_at"] is not None and changes["ends_at"] <= now:
            raise errors.InvalidChallenge({"ends_at": _l("A running challenge can only end in the future.")})
    values = {**_values_of(challenge), **changes}
    if problems := _field_errors(values):
        raise errors.InvalidChallenge(problems)
    if challenge.is_published and (missing := _missing_fields(values)):
        raise errors.InvalidChallenge({name: _l("A published challenge needs this field.") for name in missing})
    for name, value in changes.items():
        if challenge.is_published:
            db.session.add(
                ChallengeChange(
                    challenge=challenge, user=editor, field=name, old_value=_describe(getattr(challenge, name)),
                    new_value=_describe(value), changed_at=now,
                )
            )  # fmt: skip
        setattr(challenge, name, value)
    db.session.flush()
    return challenge


def _describe(value) -> str | None:
    """A value as the change log shows it."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return str(value)


def publish(challenge: Challenge, now: datetime | None = None) -> Challenge:
    """Make a complete draft public: scheduled until it starts, active once it has started."""
    now = now or utcnow()
    if challenge.status != Status.DRAFT:
        raise errors.WrongStatus()
    if missing := _missing_fields(_values_of(challenge)):
        raise errors.IncompleteChallenge(missing)
    if challenge.ends_at <= now:
        raise errors.InvalidChallenge({"ends_at": _l("The end lies in the past; choose a later end.")})
    challenge.published_at = now
    challenge.status = Status.ACTIVE if challenge.starts_at <= now else Status.SCHEDULED
    db.session.flush()
    return challenge


def cancel(challenge: Challenge, now: datetime | None = None) -> Challenge:
    """Call a challenge off; a closed one stays closed."""
    if challenge.status in (Status.CLOSED, Status.CANCELLED):
        raise errors.WrongStatus()
    challenge.status = Status.CANCELLED
    challenge.cancelled_at = now or utcnow()
    db.session.flush()
    return challenge


# Lifecycle ------------------------------------------------------------------------------


def advance_lifecycle(now: datetime | None = None) -> dict:
    """Start what is due and close what has ended; safe to run twice and catches up after downtime."""
    now = now or utcnow()
    started = db.session.execute(
        update(Challenge)
        .where(Challenge.status == Status.SCHEDULED, Challenge.starts_at <= now, Challenge.ends_at > now)
        .values(status=Status.ACTIVE)
    ).rowcount
    due = db.session.scalars(
        select(Challenge.id).where(Challenge.status.in_((Status.SCHEDULED, Status.ACTIVE)), Challenge.ends_at <= now)
    ).all()
    closed = sum(close_challenge(db.session.get(Challenge, challenge_id), now) for challenge_id in due)
    db.session.flush()
    return {"started": started, "closed": closed}


def close_challenge(challenge: Challenge, now: datetime | None = None) -> bool:
    """Freeze final ranks and send `challenge_closed` once; False when someone else closed it first."""
    now = now or utcnow()
    # The conditional update is the guard: of two racing runs, only one sees a row change.
    claimed = db.session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id, Challenge.status.in_((Status.SCHEDULED, Status.ACTIVE)))
        .values(status=Status.CLOSED, closed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return False
    db.session.refresh(challenge)
    _freeze_ranks(challenge)
    db.session.flush()
    challenge_closed.send(challenge)
    return True


def _freeze_ranks(challenge: Challenge) -> None:
    """Standard competition ranking (1, 2, 2, 4) of active participants by score."""
    rank_column = func.rank().over(order_by=Enrollment.score.desc()).label("rank")
    ranked = db.session.execute(
        select(Enrollment.id, rank_column).where(Enrollment.challenge_id == challenge.id, Enrollment.active)
    ).all()
    for enrollment_id, rank in ranked:
        db.session.execute(update(Enrollment).where(Enrollment.id == enrollment_id).values(final_rank=rank))


# Enrollment -----------------------------------------------------------------------------


def find_enrollment(challenge: Challenge, user: User) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(Enrollment.challenge_id == challenge.id, Enrollment.user_id == user.id)
    )


def join(challenge: Challenge, user: User, assisted_by: User | None = None, now: datetime | None = None) -> Enrollment:
    """Join a published, not yet ended challenge; joining again after leaving resumes the old score."""
    now = now or utcnow()
    if challenge.status not in (Status.SCHEDULED, Status.ACTIVE) or (challenge.ends_at and challenge.ends_at <= now):
        raise errors.NotOpen()
    enrollment = find_enrollment(challenge, user)
    if enrollment and enrollment.active:
        return enrollment
    if enrollment is None:
        enrollment = Enrollment(
            challenge=challenge, user=user, neighbourhood_id=user.neighbourhood_id,
            household_size=user.household_size, joined_at=now, assisted_by_id=assisted_by.id if assisted_by else None,
        )  # fmt: skip
        try:
            with db.session.begin_nested():
                db.session.add(enrollment)
        except IntegrityError:  # a concurrent request joined first; its join counts
            return find_enrollment(challenge, user)
        if challenge.category == Category.ENERGY:
            set_baseline(enrollment)
    enrollment.active = True
    enrollment.left_at = None
    db.session.flush()
    _count_participant(enrollment, +1)
    enrollment_changed.send(enrollment, score_before=enrollment.score, active_before=False)
    return enrollment


def leave(challenge: Challenge, user: User, now: datetime | None = None) -> None:
    """Stop taking part; the score stops counting for the standings until the resident rejoins."""
    enrollment = find_enrollment(challenge, user)
    if enrollment is None or not enrollment.active:
        return
    if challenge.status in (Status.CLOSED, Status.CANCELLED):
        raise errors.WrongStatus()
    enrollment.active = False
    enrollment.left_at = now or utcnow()
    _count_participant(enrollment, -1)
    db.session.flush()
    enrollment_changed.send(enrollment, score_before=enrollment.score, active_before=True)


def _neighbourhood_score(enrollment: Enrollment) -> NeighbourhoodScore | None:
    if enrollment.neighbourhood_id is None:
        return None
    # No autoflush: a new row is flushed when created, so the lookup cannot miss one, and
    # skipping the flush keeps this hot path (every scored submission) cheap.
    with db.session.no_autoflush:
        row = db.session.scalar(
            select(NeighbourhoodScore).where(
                NeighbourhoodScore.challenge_id == enrollment.challenge_id,
                NeighbourhoodScore.neighbourhood_id == enrollment.neighbourhood_id,
            )
        )
    if row is None:
        row = NeighbourhoodScore(
            challenge_id=enrollment.challenge_id, neighbourhood_id=enrollment.neighbourhood_id,
            total_units=0.0, participants=0,
        )  # fmt: skip
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # created by a concurrent request a moment ago
            return _neighbourhood_score(enrollment)
    return row


def _count_participant(enrollment: Enrollment, sign: int) -> None:
    """Add (or remove) a participant and their score to the challenge's and neighbourhood's totals."""
    challenge = enrollment.challenge
    challenge.participant_count += sign
    challenge.total_units += sign * enrollment.score
    if row := _neighbourhood_score(enrollment):
        row.participants += sign
        row.total_units += sign * enrollment.score


def add_units(enrollment: Enrollment, units: float, points: int) -> None:
    """Apply a change in score to the enrollment and, if it counts, to the running totals."""
    score_before = enrollment.score
    enrollment.score += units
    enrollment.points += points
    if enrollment.active:
        enrollment.challenge.total_units += units
        if row := _neighbourhood_score(enrollment):
            row.total_units += units
    if units:
        enrollment_changed.send(enrollment, score_before=score_before, active_before=enrollment.active)


def set_baseline(enrollment: Enrollment) -> None:
    """Daily use from the resident's readings before the start, else the reference for their household."""
    challenge = enrollment.challenge
    readings = []
    if challenge.starts_at is not None:
        readings = db.session.execute(
            select(Submission.read_at, Submission.meter_kwh)
            .where(
                Submission.user_id == enrollment.user_id,
                Submission.kind == SubmissionKind.READING,
                Submission.status == SubmissionStatus.ACCEPTED,
                Submission.read_at < challenge.starts_at,
                Submission.read_at >= challenge.starts_at - BASELINE_LOOKBACK,
            )
            .order_by(Submission.read_at)
        ).all()
    rate = baseline_from_readings([tuple(row) for row in readings])
    if rate is not None:
        enrollment.baseline_kwh_per_day, enrollment.baseline_source = rate, "readings"
    else:
        enrollment.baseline_kwh_per_day = reference_daily_kwh(enrollment.household_size)
        enrollment.baseline_source = "reference"


def top_score(challenge: Challenge) -> float:
    """The highest score of anyone taking part, for a resident to see where they stand."""
    return db.session.scalar(
        select(func.coalesce(func.max(Enrollment.score), 0.0)).where(
            Enrollment.challenge_id == challenge.id, Enrollment.active
        )
    )
