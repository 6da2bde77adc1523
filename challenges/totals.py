"""Running totals and baselines: what every score change adds to the enrollment, the challenge and its
neighbourhood, the baseline a reading is measured against, and the figures read back from them.

How totals are written, so that requests at the same moment lose nothing. Each total is added to in
the database (`x = x + :delta`, returning the sum), never written back from a value read earlier.
And every change to a resident's standing in a challenge — submitting, reviewing, rescoring, joining,
leaving — first takes `hold`: the challenge's row shared, then the resident's lock, in app.locks' order.
What decides a score is then read under those locks and still true when the transaction writes: the
day's points against the daily cap, the submissions before it, the enrollment's score and state.

Many residents score in one challenge at once (they hold its row shared), and all of them add to the
challenge's and its neighbourhoods' totals: those are app.counters, written as the transaction commits,
so the rows every one of them needs are held for the commit only, not for the whole submission.

Plain functions over models and values; they flush and never commit (the request or job does).
"""

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from app import counters
from app.extensions import db
from app.locks import lock_challenges, lock_resident, note_read_under_locks, read_under_locks, share_challenge
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


def hold(challenge: Challenge, user_id: int) -> None:
    """Lock the challenge's row, then the resident (app.locks' order), and read the challenge afresh.

    Until the transaction ends, no one else changes the challenge's totals, status or enrollments'
    scores, nor anything of this resident's.
    """
    db.session.flush()
    share_challenge(challenge.id)
    lock_resident(user_id)
    db.session.refresh(challenge)


def hold_enrollment(enrollment: Enrollment) -> None:
    """`hold` the enrollment's challenge and resident, and read the enrollment's score and state afresh.

    Nothing to do for an enrollment `held_enrollment` read: it was read under those locks already.
    """
    if read_under_locks(("enrollment", enrollment.id)):
        return
    hold(enrollment.challenge, enrollment.user_id)
    db.session.refresh(enrollment)


def held_enrollment(challenge_id: int, user_id: int) -> Enrollment | None:
    """Take `hold`'s locks first, then read the resident's enrollment and its challenge in one query.

    Read after the locks, they need no second read; `hold_enrollment` then has nothing left to do.
    """
    db.session.flush()
    share_challenge(challenge_id)
    lock_resident(user_id)
    enrollment = db.session.scalar(
        select(Enrollment).join(Enrollment.challenge).options(contains_eager(Enrollment.challenge))
        .where(Enrollment.challenge_id == challenge_id, Enrollment.user_id == user_id)
        .execution_options(populate_existing=True)
    )  # fmt: skip
    if enrollment is not None:
        note_read_under_locks(("enrollment", enrollment.id))
    return enrollment


def hold_challenges(challenge_ids) -> None:
    """Lock several challenges' rows exclusively in ascending id, before holding any of them with a resident."""
    db.session.flush()
    lock_challenges(challenge_ids)


def _add(instance: Challenge | Enrollment, **deltas) -> None:
    """Add to columns of the instance's row in the database, and take the sums it returns onto the instance."""
    table = type(instance).__table__
    statement = (
        update(table)
        .where(table.c.id == instance.id)
        .values({name: table.c[name] + delta for name, delta in deltas.items()})
        .returning(*(table.c[name] for name in deltas))
    )
    sums = db.session.execute(statement).one()
    for name, value in zip(deltas, sums, strict=True):
        set_committed_value(instance, name, value)


# Every submission to a challenge adds to its row: written last, right before the commit.
counters.register(Challenge.__table__, ("id",), ("total_units", "participant_count"), insert=False, last=True)
counters.register(NeighbourhoodScore.__table__, ("challenge_id", "neighbourhood_id"), ("total_units", "participants"))


def _add_to_challenge(challenge: Challenge, units: float, participants: int = 0) -> None:
    """Add to the challenge's totals as the transaction commits (app.counters); the instance shows the sums at
    once, as far as this transaction knows them."""
    counters.add(Challenge.__table__, id=challenge.id, total_units=units, participant_count=participants)
    set_committed_value(challenge, "total_units", challenge.total_units + units)
    set_committed_value(challenge, "participant_count", challenge.participant_count + participants)


def _add_to_neighbourhood(enrollment: Enrollment, units: float, participants: int) -> None:
    """Add to the enrollment's neighbourhood's totals in its challenge; the row is made by the first change."""
    if enrollment.neighbourhood_id is None:
        return
    place = {"challenge_id": enrollment.challenge_id, "neighbourhood_id": enrollment.neighbourhood_id}
    counters.add(NeighbourhoodScore.__table__, **place, total_units=units, participants=participants)


def count_participant(enrollment: Enrollment, sign: int) -> None:
    """Add (or remove) a participant and their score to the challenge's and neighbourhood's totals.

    The caller holds `hold_enrollment(enrollment)`, so the score added is the current one.
    """
    score = sign * enrollment.score
    _add_to_challenge(enrollment.challenge, score, sign)
    _add_to_neighbourhood(enrollment, score, sign)


def add_units(enrollment: Enrollment, units: float, points: int) -> None:
    """Apply a change in score to the enrollment and, if it counts, to the running totals.

    The caller holds `hold_enrollment(enrollment)`, so the score and state read then are the ones
    the change starts from (the histogram moves the participant out of that score's bucket).
    """
    if not (units or points):
        return
    score_before, active = enrollment.score, enrollment.active
    _add(enrollment, score=units, points=points)
    if active and units:
        _add_to_challenge(enrollment.challenge, units)
        _add_to_neighbourhood(enrollment, units, 0)
    if units:
        announce_change(enrollment, score_before, active)


def announce_change(enrollment: Enrollment, score_before: float, active_before: bool) -> None:
    """Send `enrollment_changed` with the score and state the enrollment had before and has now."""
    enrollment_changed.send(
        EnrollmentChanged(
            enrollment_id=enrollment.id, challenge_id=enrollment.challenge_id, user_id=enrollment.user_id,
            score_before=score_before, active_before=active_before, score=enrollment.score, active=enrollment.active,
        )
    )  # fmt: skip


def set_baseline(enrollment: Enrollment) -> None:
    """Daily use from the resident's readings taken and sent before the start (scoring.MIN_BASELINE_DAYS of
    them at least), else the reference for their household: numbers typed after the start set no baseline."""
    challenge = enrollment.challenge
    readings = []
    if challenge.starts_at is not None:
        readings = meter_readings(
            Submission.user_id == enrollment.user_id,
            Submission.read_at < challenge.starts_at,
            Submission.read_at >= challenge.starts_at - BASELINE_LOOKBACK,
            Submission.created_at < challenge.starts_at,
        )
    rate = baseline_from_readings(readings, enrollment.household_size)
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
