"""Running totals and baselines: what every score change adds to the enrollment, the challenge and its
neighbourhood, the baseline a reading is measured against, and the figures read back from them.

Plain functions over models and values; they flush and never commit (the request or job does).
"""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.signals import EnrollmentChanged, enrollment_changed
from challenges.activity import meter_readings
from challenges.models import (
    Challenge,
    Enrollment,
    NeighbourhoodScore,
    Submission,
)
from challenges.scoring import Format, baseline_from_readings, reference_daily_kwh

BASELINE_LOOKBACK = timedelta(days=365)


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


def count_participant(enrollment: Enrollment, sign: int) -> None:
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
        announce_change(enrollment, score_before, enrollment.active)


def announce_change(enrollment: Enrollment, score_before: float, active_before: bool) -> None:
    """Send `enrollment_changed` with the score and state the enrollment had before and has now."""
    enrollment_changed.send(
        EnrollmentChanged(
            enrollment_id=enrollment.id, challenge_id=enrollment.challenge_id, user_id=enrollment.user_id,
            score_before=score_before, active_before=active_before, score=enrollment.score, active=enrollment.active,
        )
    )  # fmt: skip


def set_baseline(enrollment: Enrollment) -> None:
    """Daily use from the resident's readings before the start, else the reference for their household."""
    challenge = enrollment.challenge
    readings = []
    if challenge.starts_at is not None:
        readings = meter_readings(
            Submission.user_id == enrollment.user_id,
            Submission.read_at < challenge.starts_at,
            Submission.read_at >= challenge.starts_at - BASELINE_LOOKBACK,
        )
    rate = baseline_from_readings(readings)
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


def progress(challenge: Challenge) -> float | None:
    """A collective challenge's share of its target reached (1.0 = target met, may exceed it); else None."""
    if challenge.format != Format.COLLECTIVE or not challenge.target:
        return None
    return challenge.total_units / challenge.target
