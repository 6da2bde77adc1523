"""Taking part: joining and leaving a challenge, and finding a resident's enrollment.

Plain functions over models and values; they flush and never commit (the request does).
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from app.columns import utcnow
from app.extensions import db
from challenges import errors, kinds, visibility
from challenges.models import Challenge, Enrollment, Status
from challenges.totals import announce_change, count_participant, held_enrollment, hold, hold_enrollment


def find_enrollment(challenge: Challenge, user: User) -> Enrollment | None:
    """The user's enrollment in the challenge, current or left; None if they never joined."""
    return db.session.scalar(
        select(Enrollment).where(Enrollment.challenge_id == challenge.id, Enrollment.user_id == user.id)
    )


def enrollment_to_submit_to(challenge_id: int, user: User) -> Enrollment:
    """The user's enrollment in a challenge they can see, read under the locks submitting takes (one query).

    NotFound for a challenge they cannot see, NotEnrolled if they never joined it.
    """
    enrollment = held_enrollment(challenge_id, user.id)
    visibility.get_visible_challenge(challenge_id, user)  # already in the session when they joined it
    if enrollment is None:
        raise errors.NotEnrolled()
    return enrollment


def enrollments_by_challenge(user: User | None, challenge_ids: list[int]) -> dict[int, Enrollment]:
    """The user's enrollments (current or left) in these challenges, by challenge id, in one query."""
    if user is None or not challenge_ids:
        return {}
    rows = db.session.scalars(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.challenge_id.in_(challenge_ids))
    )
    return {enrollment.challenge_id: enrollment for enrollment in rows}


def join(challenge: Challenge, user: User, assisted_by: User | None = None, now: datetime | None = None) -> Enrollment:
    """Join a published, not yet ended challenge; joining again after leaving resumes the old score."""
    now = now or utcnow()
    hold(challenge, user.id)
    if challenge.status not in (Status.SCHEDULED, Status.ACTIVE) or (challenge.ends_at and challenge.ends_at <= now):
        raise errors.NotOpen()
    enrollment = find_enrollment(challenge, user)
    if enrollment is not None:
        db.session.refresh(enrollment)  # left or not, as of now: the locks are held
        if enrollment.active:
            return enrollment
    else:
        enrollment = Enrollment(
            challenge=challenge, user=user, neighbourhood_id=user.neighbourhood_id,
            household_size=user.household_size, joined_at=now, assisted_by_id=assisted_by.id if assisted_by else None,
        )  # fmt: skip
        try:
            with db.session.begin_nested():
                db.session.add(enrollment)
        except IntegrityError:  # a concurrent request joined first; its join counts
            return find_enrollment(challenge, user)
        kinds.of_challenge(challenge).joined(enrollment)
    enrollment.active = True
    enrollment.left_at = None
    db.session.flush()
    count_participant(enrollment, +1)
    announce_change(enrollment, enrollment.score, active_before=False)
    return enrollment


def leave(challenge: Challenge, user: User, now: datetime | None = None) -> None:
    """Stop taking part; the score stops counting for the standings until the resident rejoins."""
    enrollment = find_enrollment(challenge, user)
    if enrollment is None or not enrollment.active:
        return
    hold_enrollment(enrollment)
    if not enrollment.active:  # left a moment ago, in another request
        return
    if challenge.status in (Status.CLOSED, Status.CANCELLED):
        raise errors.WrongStatus()
    enrollment.active = False
    enrollment.left_at = now or utcnow()
    db.session.flush()
    count_participant(enrollment, -1)
    announce_change(enrollment, enrollment.score, active_before=True)
