"""Submitting activity — meter readings and trips — with plausibility checks, idempotency,
scoring applied incrementally, and the manager's review of flagged submissions."""

import math
from datetime import date, datetime, time, timedelta

from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from app.clock import local_date
from app.columns import utcnow
from app.extensions import db
from app.signals import SubmissionScored, submission_scored
from challenges import errors
from challenges.flags import FlagRule, flag_values
from challenges.models import Enrollment, Status, Submission, SubmissionKind, SubmissionStatus
from challenges.scoring import (
    Impact,
    Mode,
    capped_points,
    days_between,
    energy_units,
    interval_in_window,
    kwh_saved,
    reading_impact,
    trip_impact,
    trip_units,
)
from challenges.totals import add_units, set_baseline

CLOCK_SKEW = timedelta(minutes=5)
BASELINE_WINDOW = timedelta(days=365)
MAX_METER_KWH = 10_000_000
MAX_TRIP_KM = 1_000
LIVE = (SubmissionStatus.ACCEPTED, SubmissionStatus.FLAGGED)


def _replayed(user: User, key: str | None) -> Submission | None:
    if not key:
        return None
    return db.session.scalar(select(Submission).where(Submission.user_id == user.id, Submission.idempotency_key == key))


def _check_can_submit(enrollment: Enrollment) -> None:
    if not enrollment.active:
        raise errors.NotEnrolled()
    if enrollment.challenge.status not in (Status.SCHEDULED, Status.ACTIVE):
        raise errors.SubmissionRefused(_l("This challenge does not take submissions now."), rule="not_running")


def _store(submission: Submission) -> tuple[Submission, bool]:
    """Insert; if a concurrent request stored the same idempotency key first, return that one."""
    try:
        with db.session.begin_nested():
            db.session.add(submission)
    except IntegrityError:
        existing = _replayed(submission.user, submission.idempotency_key)
        if existing is None:
            raise
        return existing, False
    return submission, True


def _apply(submission: Submission, units: float, points: int) -> None:
    """Record what an accepted submission counts for, on it and on the running totals."""
    units_delta, points_delta = units - submission.units, points - submission.points
    submission.units, submission.points = units, points
    impact = _impact(submission) if submission.status == SubmissionStatus.ACCEPTED else Impact()
    submission.kwh_saved, submission.car_km_avoided, submission.co2_kg_avoided = impact
    add_units(submission.enrollment, units_delta, points_delta)
    db.session.flush()
    if units_delta or points_delta:
        submission_scored.send(scored(submission, units_delta, points_delta))


def scored(submission: Submission, units_delta: float = 0.0, points_delta: int = 0) -> SubmissionScored:
    """What `submission_scored` says of a submission: what it counts for now, and by how much that changed."""
    challenge = submission.challenge
    return SubmissionScored(
        submission_id=submission.id, user_id=submission.user_id, challenge_id=challenge.id,
        challenge_title=challenge.title, day=activity_day(submission), units=submission.units,
        points=submission.points, units_delta=units_delta, points_delta=points_delta,
        counted=submission.status == SubmissionStatus.ACCEPTED,
    )  # fmt: skip


def activity_day(submission: Submission) -> date:
    """The city-calendar day a submission's activity happened: the trip's day, the reading's local date."""
    if submission.day is not None:
        return submission.day
    return local_date(submission.read_at or submission.created_at or utcnow())


def _impact(submission: Submission) -> Impact:
    if submission.kind == SubmissionKind.READING:
        return reading_impact(submission.challenge.metric, submission.units)
    return trip_impact(submission.mode, submission.distance_km, submission.replaced_car)


# Meter readings --------------------------------------------------------------------------


def _previous_reading(enrollment: Enrollment, before: datetime, exclude_id: int | None = None) -> Submission | None:
    query = select(Submission).where(
        Submission.enrollment_id == enrollment.id,
        Submission.kind == SubmissionKind.READING,
        Submission.status.in_(LIVE),
        Submission.read_at < before,
    )
    if exclude_id:
        query = query.where(Submission.id != exclude_id)
    return db.session.scalar(query.order_by(Submission.read_at.desc()).limit(1))


def _latest_reading(enrollment: Enrollment) -> Submission | None:
    return db.session.scalar(
        select(Submission)
        .where(
            Submission.enrollment_id == enrollment.id,
            Submission.kind == SubmissionKind.READING,
            Submission.status.in_(LIVE),
        )
        .order_by(Submission.read_at.desc())
        .limit(1)
    )


def _check_reading(enrollment: Enrollment, read_at: datetime, meter_kwh: float, now: datetime) -> None:
    challenge = enrollment.challenge
    if not 0 <= meter_kwh <= MAX_METER_KWH:
        raise errors.SubmissionRefused(_l("The meter value is not plausible."), "meter_kwh", "range")
    if read_at > now + CLOCK_SKEW:
        raise errors.SubmissionRefused(_l("A reading cannot be in the future."), "read_at", "future")
    if read_at > challenge.ends_at:
        raise errors.SubmissionRefused(_l("This reading is after the challenge's end."), "read_at", "outside")
    if read_at < challenge.starts_at - BASELINE_WINDOW:
        raise errors.SubmissionRefused(
            _l("Readings from more than a year before the start cannot be used."), "read_at", "outside"
        )
    latest = _latest_reading(enrollment)
    if latest is None:
        return
    if latest.read_at == read_at and latest.meter_kwh == meter_kwh:
        raise errors.SubmissionRefused(_l("You already sent exactly this reading."), "read_at", "duplicate")
    if read_at <= latest.read_at:
        message = _l("A reading must be later than your last one (%(when)s).", when=format_datetime(latest.read_at))
        raise errors.SubmissionRefused(message, "read_at", "order")
    if meter_kwh < latest.meter_kwh:
        message = _l("Meter readings must rise over time; your last one was %(kwh)s kWh.", kwh=latest.meter_kwh)
        raise errors.SubmissionRefused(message, "meter_kwh", "falling")


def _reading_score(submission: Submission, previous: Submission | None) -> tuple[float | None, float, int]:
    """(consumed kWh since the previous reading, units, points) for a reading."""
    if previous is None:
        return None, 0.0, 0
    enrollment, challenge = submission.enrollment, submission.challenge
    consumed = submission.meter_kwh - previous.meter_kwh
    share = interval_in_window(previous.read_at, submission.read_at, challenge.starts_at, challenge.ends_at)
    days = days_between(previous.read_at, submission.read_at) * share
    saved = kwh_saved(enrollment.baseline_kwh_per_day or 0.0, consumed * share, days)
    units = energy_units(challenge.metric, saved)
    cap = challenge.daily_point_cap * max(1, math.ceil(days)) if challenge.daily_point_cap else None
    return consumed, units, capped_points(units, challenge.points_per_unit, 0, cap)


def submit_reading(
    enrollment: Enrollment, read_at: datetime, meter_kwh: float, *, idempotency_key: str | None = None,
    source: str = "web", assisted_by: User | None = None, now: datetime | None = None,
) -> tuple[Submission, bool]:  # fmt: skip
    """Store a meter reading; returns (submission, created). Refusals raise and store nothing."""
    now = now or utcnow()
    if replay := _replayed(enrollment.user, idempotency_key):
        return replay, False
    _check_can_submit(enrollment)
    _check_reading(enrollment, read_at, meter_kwh, now)
    challenge = enrollment.challenge
    submission = Submission(
        challenge=challenge, enrollment=enrollment, user=enrollment.user, kind=SubmissionKind.READING,
        neighbourhood_id=enrollment.neighbourhood_id,
        status=SubmissionStatus.ACCEPTED, idempotency_key=idempotency_key, read_at=read_at, meter_kwh=meter_kwh,
        day=local_date(read_at), source=source, assisted_by=assisted_by, units=0.0, points=0, created_at=now,
    )  # fmt: skip
    previous = _previous_reading(enrollment, read_at)
    consumed, units, points = _reading_score(submission, previous)
    submission.consumed_kwh = consumed
    if consumed is not None and previous is not None:
        per_day = consumed / max(days_between(previous.read_at, read_at), 1 / 24)
        if per_day > challenge.max_kwh_per_day:
            submission.status = SubmissionStatus.FLAGGED
            submission.flag_rule = FlagRule.KWH_PER_DAY
            submission.flag_values = flag_values(per_day, challenge.max_kwh_per_day)
    submission, created = _store(submission)
    if not created:
        return submission, False
    if submission.status == SubmissionStatus.ACCEPTED:
        _apply(submission, units, points)
    if read_at < challenge.starts_at and not _has_scored_readings(enrollment):
        set_baseline(enrollment)  # readings before the start sharpen the resident's own baseline
    db.session.flush()
    return submission, True


def _has_scored_readings(enrollment: Enrollment) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(Submission.id)).where(
                Submission.enrollment_id == enrollment.id,
                Submission.kind == SubmissionKind.READING,
                Submission.read_at >= enrollment.challenge.starts_at,
                Submission.status.in_(LIVE),
            )
        )
    )


def _rescore_reading_after(submission: Submission) -> None:
    """When a reading stops counting, the next reading's interval now starts at the one before it."""
    following = db.session.scalar(
        select(Submission)
        .where(
            Submission.enrollment_id == submission.enrollment_id,
            Submission.kind == SubmissionKind.READING,
            Submission.status == SubmissionStatus.ACCEPTED,
            Submission.read_at > submission.read_at,
        )
        .order_by(Submission.read_at)
        .limit(1)
    )
    if following is None:
        return
    previous = _previous_reading(following.enrollment, following.read_at, exclude_id=submission.id)
    consumed, units, points = _reading_score(following, previous)
    following.consumed_kwh = consumed
    _apply(following, units, points)


# Trips -----------------------------------------------------------------------------------


def _points_on_day(enrollment: Enrollment, day: date, exclude_id: int | None = None) -> int:
    query = select(func.coalesce(func.sum(Submission.points), 0)).where(
        Submission.enrollment_id == enrollment.id,
        Submission.day == day,
        Submission.status == SubmissionStatus.ACCEPTED,
    )
    if exclude_id:
        query = query.where(Submission.id != exclude_id)
    return db.session.scalar(query)


def _km_on_day(enrollment: Enrollment, day: date) -> float:
    return db.session.scalar(
        select(func.coalesce(func.sum(Submission.distance_km), 0.0)).where(
            Submission.enrollment_id == enrollment.id,
            Submission.day == day,
            Submission.kind == SubmissionKind.TRIP,
            Submission.status.in_(LIVE),
        )
    )


def _check_trip(enrollment, day, mode, distance_km, replaced_car, trip_time, now) -> None:
    challenge = enrollment.challenge
    if not 0 < distance_km <= MAX_TRIP_KM:
        raise errors.SubmissionRefused(_l("The distance must be between 0 and 1,000 km."), "distance_km", "range")
    if day > local_date(now + CLOCK_SKEW):
        raise errors.SubmissionRefused(_l("A trip cannot be in the future."), "day", "future")
    first, last = local_date(challenge.starts_at), local_date(challenge.ends_at - timedelta(microseconds=1))
    if not first <= day <= last:
        message = _l("Only trips from %(first)s to %(last)s count.", first=format_date(first), last=format_date(last))
        raise errors.SubmissionRefused(message, "day", "outside")
    duplicate = db.session.scalar(
        select(Submission.id).where(
            Submission.enrollment_id == enrollment.id, Submission.kind == SubmissionKind.TRIP,
            Submission.status.in_(LIVE), Submission.day == day, Submission.mode == mode,
            Submission.distance_km == distance_km, Submission.replaced_car == replaced_car,
            Submission.trip_time.is_(None) if trip_time is None else Submission.trip_time == trip_time,
        )
    )  # fmt: skip
    if duplicate:
        raise errors.SubmissionRefused(
            _l("You already sent exactly this trip. For a second, identical trip that day, add its departure time."),
            "day", "duplicate",
        )  # fmt: skip


def submit_trip(
    enrollment: Enrollment, day: date, mode: Mode, distance_km: float, replaced_car: bool, *,
    trip_time: time | None = None, idempotency_key: str | None = None, source: str = "web",
    assisted_by: User | None = None, now: datetime | None = None,
) -> tuple[Submission, bool]:  # fmt: skip
    """Store a trip; returns (submission, created). Refusals raise and store nothing."""
    now = now or utcnow()
    if replay := _replayed(enrollment.user, idempotency_key):
        return replay, False
    _check_can_submit(enrollment)
    mode = Mode(mode)
    _check_trip(enrollment, day, mode, distance_km, replaced_car, trip_time, now)
    challenge = enrollment.challenge
    submission = Submission(
        challenge=challenge, enrollment=enrollment, user=enrollment.user, kind=SubmissionKind.TRIP,
        neighbourhood_id=enrollment.neighbourhood_id,
        status=SubmissionStatus.ACCEPTED, idempotency_key=idempotency_key, day=day, trip_time=trip_time, mode=mode,
        distance_km=distance_km, replaced_car=replaced_car, source=source, assisted_by=assisted_by,
        units=0.0, points=0, created_at=now,
    )  # fmt: skip
    km_today = _km_on_day(enrollment, day) + distance_km
    if km_today > challenge.max_km_per_day:
        submission.status = SubmissionStatus.FLAGGED
        submission.flag_rule = FlagRule.KM_PER_DAY
        submission.flag_values = flag_values(km_today, challenge.max_km_per_day)
    submission, created = _store(submission)
    if created and submission.status == SubmissionStatus.ACCEPTED:
        _apply(submission, *_trip_score(submission))
    return submission, created


def _trip_score(submission: Submission) -> tuple[float, int]:
    challenge = submission.challenge
    units = trip_units(challenge.metric, submission.mode, submission.distance_km, submission.replaced_car)
    already = _points_on_day(submission.enrollment, submission.day, exclude_id=submission.id)
    return units, capped_points(units, challenge.points_per_unit, already, challenge.daily_point_cap)


# Review ----------------------------------------------------------------------------------


def flagged_submissions(challenge_id: int) -> list[Submission]:
    """The review queue: flagged submissions of a challenge, oldest first."""
    return list(
        db.session.scalars(
            select(Submission)
            .where(Submission.challenge_id == challenge_id, Submission.status == SubmissionStatus.FLAGGED)
            .order_by(Submission.created_at, Submission.id)
        )
    )


def review(submission: Submission, reviewer: User, approve: bool, reason: str = "", now: datetime | None = None):
    """Approve a flagged submission (it counts from now on) or reject one, with a reason the resident sees."""
    reason = (reason or "").strip()
    if approve and submission.status != SubmissionStatus.FLAGGED:
        raise errors.WrongStatus()
    if not approve and submission.status == SubmissionStatus.REJECTED:
        raise errors.WrongStatus()
    if not approve and not reason:
        raise errors.SubmissionRefused(_l("Tell the resident why it is rejected."), "reason", "reason_required")
    was_counting = submission.status == SubmissionStatus.ACCEPTED
    submission.reviewed_by, submission.reviewed_at, submission.review_reason = reviewer, now or utcnow(), reason or None
    if approve:
        submission.status = SubmissionStatus.ACCEPTED
        db.session.flush()
        if submission.kind == SubmissionKind.READING:
            previous = _previous_reading(submission.enrollment, submission.read_at)
            consumed, units, points = _reading_score(submission, previous)
            submission.consumed_kwh = consumed
            _apply(submission, units, points)
        else:
            _apply(submission, *_trip_score(submission))
        return submission
    submission.status = SubmissionStatus.REJECTED
    db.session.flush()
    if was_counting:
        _apply(submission, 0.0, 0)  # reverses what it had counted for
    if submission.kind == SubmissionKind.READING:
        _rescore_reading_after(submission)
    return submission
