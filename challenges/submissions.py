"""What becomes of a submission after it was sent: a manager's review of those held for a check (the
queue, approving or rejecting one) and the resident withdrawing their own.

Submitting itself is each kind's (`challenges.kinds`); what approving, rejecting or withdrawing
changes — the score, the totals, the points, another reading scored against this one — is the
kind's as well, and the ledger follows through `submission_scored`.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import User
from app.clock import local_date
from app.columns import utcnow
from app.extensions import db
from challenges import errors, kinds
from challenges.models import Status, Submission, SubmissionStatus
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
    """Approve a flagged submission (it counts from now on) or reject one, with a reason the resident sees.

    Either way what followed it is rescored: a held reading was no base of the next one until approved.
    """
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
    if approve:
        kind.check_approval(submission)
    was_counting = submission.status == SubmissionStatus.ACCEPTED
    submission.reviewed_by, submission.reviewed_at, submission.review_reason = reviewer, now or utcnow(), reason or None
    if approve:
        submission.status = SubmissionStatus.ACCEPTED
        db.session.flush()
        kind.count(submission, *kind.score(submission))
    else:
        submission.status = SubmissionStatus.REJECTED
        db.session.flush()
        if was_counting:
            kind.count(submission, 0.0, 0)  # reverses what it had counted for
    kind.changed(submission)  # what followed it is rescored: it is a base now, or no longer
    return submission


def withdrawable(submission: Submission, now: datetime | None = None) -> bool:
    """Whether its sender may still withdraw it: while held for review, or on the day it was sent (the city's
    calendar), and only while the challenge takes submissions."""
    if submission.challenge.status not in (Status.SCHEDULED, Status.ACTIVE):
        return False
    if submission.status == SubmissionStatus.FLAGGED:
        return True
    sent_today = local_date(submission.created_at) == local_date(now or utcnow())
    return submission.status == SubmissionStatus.ACCEPTED and sent_today


def withdraw(submission: Submission, user: User, reason: str, now: datetime | None = None) -> Submission:
    """The resident withdraws their own submission, giving a reason that is kept; the ledger takes back what it
    earned with a reversal, and what followed it is rescored, as after a rejection."""
    now = now or utcnow()
    if submission.user_id != user.id:
        raise errors.NoSuchSubmission()  # someone else's: as if it did not exist
    reason = (reason or "").strip()
    if not reason:
        raise errors.SubmissionRefused(_l("Say why you withdraw it."), "reason", "reason_required")
    hold_enrollment(submission.enrollment)  # scoring takes the challenge's row, then the resident's lock
    db.session.refresh(submission)  # a manager may have reviewed it a moment ago
    if not withdrawable(submission, now):
        raise errors.NotWithdrawable()
    kind = kinds.of_submission(submission)
    was_counting = submission.status == SubmissionStatus.ACCEPTED
    submission.status, submission.withdrawn_at, submission.withdrawal_reason = SubmissionStatus.WITHDRAWN, now, reason
    db.session.flush()
    if was_counting:
        kind.count(submission, 0.0, 0)  # a reversal in the ledger, through submission_scored
    kind.changed(submission)
    return submission
