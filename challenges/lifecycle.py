"""The lifecycle job: challenges start and close at their times, and closing freezes the final ranks.

Plain functions over models and values; they flush and never commit (the job does).
"""

from datetime import datetime

from sqlalchemy import func, select, update

from app.columns import utcnow
from app.extensions import db
from app.locks import lock_challenges
from app.signals import challenge_closed
from challenges.models import Challenge, Enrollment, Status
from challenges.results import closing_results


def advance_lifecycle(now: datetime | None = None) -> dict:
    """Start what is due and close what has ended and taken its late entries; safe to run twice and catches
    up after downtime."""
    now = now or utcnow()
    starting = (Challenge.status == Status.SCHEDULED, Challenge.starts_at <= now, Challenge.ends_at > now)
    ending = (Challenge.status.in_((Status.SCHEDULED, Status.ACTIVE)), Challenge.ends_at <= now)
    # Ended ones close once their late-entry days are over too (few are ever ended and still open).
    ended = db.session.scalars(select(Challenge).where(*ending)).all()
    due = [challenge.id for challenge in ended if challenge.late_entries_until <= now]
    # Every challenge's row before any resident's (app.locks): closing one pays its finishers, who may
    # be sending something to the next one right now.
    lock_challenges([*db.session.scalars(select(Challenge.id).where(*starting)), *due])
    started = db.session.execute(update(Challenge).where(*starting).values(status=Status.ACTIVE)).rowcount
    closed = sum(close_challenge(db.session.get(Challenge, challenge_id), now) for challenge_id in due)
    db.session.flush()
    return {"started": started, "closed": closed}


def close_challenge(challenge: Challenge, now: datetime | None = None) -> bool:
    """Freeze final ranks and send `challenge_closed` with the results once; False when someone else closed it first."""
    now = now or utcnow()
    lock_challenges([challenge.id])  # waits for the submissions in flight; later ones find it closed
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
    challenge_closed.send(closing_results(challenge))
    return True


def _freeze_ranks(challenge: Challenge) -> None:
    """Standard competition ranking (1, 2, 2, 4) of active participants by score."""
    rank_column = func.rank().over(order_by=Enrollment.score.desc()).label("rank")
    ranked = db.session.execute(
        select(Enrollment.id, rank_column).where(Enrollment.challenge_id == challenge.id, Enrollment.active)
    ).all()
    for enrollment_id, rank in ranked:
        db.session.execute(update(Enrollment).where(Enrollment.id == enrollment_id).values(final_rank=rank))
