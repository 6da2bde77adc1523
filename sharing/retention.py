"""Retention: raw meter readings and trips are deleted once they are older than RETENTION_MONTHS.

What a submission counted for already lives in running totals that never read the raw rows
again: the enrollment's score and points, the challenge's and neighbourhood's totals, season
points and the ledger. So old rows are deleted directly, never through the services that would
take their contribution back, and every statistic stays as it was.

One kind of old row is still needed: a meter reading is scored against the reading before it, so
in a running challenge an active participant's latest reading is the base for their next one; and
a reading still flagged for review is scored, when approved, against the reading before it. For
each active enrollment of a running challenge the readings from its latest accepted one onwards
are therefore kept, however old, until the challenge ends or the resident leaves.
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from app.columns import utcnow
from app.extensions import db
from challenges import kinds
from challenges.models import (
    LIVE,
    AssistedAction,
    Challenge,
    Enrollment,
    Status,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from sharing.services import add_months

BATCH = 1_000
RUNNING = (Status.SCHEDULED, Status.ACTIVE)


def cutoff(now: datetime) -> datetime:
    """The moment before which raw readings and trips are no longer kept."""
    return add_months(now, -current_app.config["RETENTION_MONTHS"])


def _still_needed():
    """Ids of readings kept as the base of what comes next: see the module's docstring."""
    latest_accepted = (
        select(func.max(Submission.read_at))
        .where(
            Submission.enrollment_id == Enrollment.id,
            Submission.kind == SubmissionKind.READING,
            Submission.status == SubmissionStatus.ACCEPTED,
        )
        .correlate(Enrollment)
        .scalar_subquery()
    )
    return (
        select(Submission.id)
        .join(Enrollment, Enrollment.id == Submission.enrollment_id)
        .join(Challenge, Challenge.id == Enrollment.challenge_id)
        .where(
            Enrollment.active,
            Challenge.status.in_(RUNNING),
            Submission.kind == SubmissionKind.READING,
            Submission.status.in_(LIVE),
            or_(latest_accepted.is_(None), Submission.read_at >= latest_accepted),
        )
    )


def expired_submissions(now: datetime):
    """Readings taken and trips made before the cutoff, except those still needed."""
    moment = cutoff(now)
    too_old = or_(*(kind.recorded_before(moment) for kind in kinds.KINDS))
    return select(Submission.id).where(too_old, Submission.id.not_in(_still_needed()))


def purge_old_records(now: datetime | None = None, batch: int = BATCH) -> int:
    """Delete expired readings and trips in batches; returns how many. Safe to run twice: the second finds none."""
    now = now or utcnow()
    deleted = 0
    while ids := db.session.scalars(expired_submissions(now).order_by(Submission.id).limit(batch)).all():
        db.session.execute(
            update(AssistedAction).where(AssistedAction.submission_id.in_(ids)).values(submission_id=None)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        statement = delete(Submission).where(Submission.id.in_(ids)).execution_options(synchronize_session=False)
        deleted += db.session.execute(statement).rowcount
    return deleted
