"""The manager's review of submissions held for a check: the queue, and approving or rejecting one.

Submitting itself is each kind's (`challenges.kinds`); what approving or rejecting changes — the
score, the totals, the points, another reading scored against this one — is the kind's as well.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import User
from app.columns import utcnow
from app.extensions import db
from challenges import errors, kinds
from challenges.models import Submission, SubmissionStatus
from challenges.totals import hold_enrollment


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
    hold_enrollment(submission.enrollment)
    db.session.refresh(submission)  # another manager may have reviewed it a moment ago
    if approve and submission.status != SubmissionStatus.FLAGGED:
        raise errors.WrongStatus()
    if not approve and submission.status == SubmissionStatus.REJECTED:
        raise errors.WrongStatus()
    if not approve and not reason:
        raise errors.SubmissionRefused(_l("Tell the resident why it is rejected."), "reason", "reason_required")
    kind = kinds.of_submission(submission)
    was_counting = submission.status == SubmissionStatus.ACCEPTED
    submission.reviewed_by, submission.reviewed_at, submission.review_reason = reviewer, now or utcnow(), reason or None
    if approve:
        submission.status = SubmissionStatus.ACCEPTED
        db.session.flush()
        kind.count(submission, *kind.score(submission))
        return submission
    submission.status = SubmissionStatus.REJECTED
    db.session.flush()
    if was_counting:
        kind.count(submission, 0.0, 0)  # reverses what it had counted for
    kind.withdrawn(submission)
    return submission
