"""Who sees which challenge: finding one, drafts for managers only, and the filtered list.

Plain functions over models and values; they never write.
"""

from datetime import datetime

from sqlalchemy import Select, and_, case, exists, or_, select

from accounts.models import Role, User
from app.columns import utcnow
from app.extensions import db
from challenges import errors
from challenges.models import Challenge, Enrollment, Status


def get_challenge(challenge_id: int) -> Challenge:
    """The challenge with this id, whatever its status; NotFound when there is none."""
    challenge = db.session.get(Challenge, challenge_id)
    if challenge is None:
        raise errors.NotFound()
    return challenge


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
