"""Assisted participation: what a manager does at a service desk for a resident without a
smartphone, email or internet. Every step is marked as assisted and logged with the manager's name.

Plain functions over models and values; they flush and never commit (the request does).
"""

from datetime import datetime

from sqlalchemy import select

from accounts import services as accounts
from accounts.errors import NotAllowed
from accounts.models import Role, User
from app.columns import utcnow
from app.extensions import db
from challenges import errors, participation
from challenges.kinds import Kind
from challenges.models import AssistedAction, AssistedActionKind, Challenge, Enrollment, Status, Submission

SOURCE = "assisted"


def _log(manager: User, resident: User, kind: AssistedActionKind, challenge=None, submission=None) -> None:
    db.session.add(
        AssistedAction(
            kind=kind, resident=resident, manager=manager, manager_name=manager.pseudonym, challenge=challenge,
            submission=submission, created_at=utcnow(),
        )
    )  # fmt: skip
    db.session.flush()


def _check_desk(manager: User, resident: User) -> None:
    """Only managers act at the desk, and only for residents whose account is active."""
    if not manager.has_role(Role.MANAGER):
        raise NotAllowed()
    if resident.role != Role.RESIDENT:
        raise errors.NoSuchResident()
    if not resident.active:
        raise errors.ResidentDeactivated()


def get_resident(user_id: int) -> User:
    """The resident with this id; anyone else (staff, managers, no one) is NotFound."""
    user = accounts.get_user(user_id)
    if user is None or user.role != Role.RESIDENT:
        raise errors.NoSuchResident()
    return user


def find_residents(search: str, page: int = 1, per_page: int = 20):
    """Residents whose pseudonym contains `search`, or whose whole email address it is, for the desk to pick from."""
    return accounts.search_residents(search, page=page, per_page=per_page)


def register_resident(manager: User, **fields) -> tuple[User, str]:
    """Register a resident at the desk (email optional); returns them and the code to print."""
    user, code = accounts.register_assisted_resident(manager, **fields)
    _log(manager, user, AssistedActionKind.REGISTERED)
    return user, code


def reissue_code(manager: User, resident: User) -> str:
    """Print a new log-in code for a resident; the old one stops working."""
    _check_desk(manager, resident)
    code = accounts.issue_login_code(resident)
    _log(manager, resident, AssistedActionKind.CODE_REISSUED)
    return code


def join_for(manager: User, resident: User, challenge: Challenge, now: datetime | None = None) -> Enrollment:
    """Sign a resident up for a challenge; joining what they already take part in changes nothing."""
    _check_desk(manager, resident)
    before = participation.find_enrollment(challenge, resident)
    enrollment = participation.join(challenge, resident, assisted_by=manager, now=now)
    if before is None or not before.active:
        _log(manager, resident, AssistedActionKind.JOINED, challenge=challenge)
    return enrollment


def _enrollment_for(manager: User, resident: User, challenge: Challenge) -> Enrollment:
    _check_desk(manager, resident)
    enrollment = participation.find_enrollment(challenge, resident)
    if enrollment is None:
        raise errors.NotEnrolled()
    return enrollment


def submit_for(
    manager: User, resident: User, challenge: Challenge, kind: Kind, values: dict, *,
    idempotency_key: str | None = None, now: datetime | None = None,
) -> tuple[Submission, bool]:  # fmt: skip
    """Enter a reading or trip from a resident's paper form; the same checks apply as to their own."""
    enrollment = _enrollment_for(manager, resident, challenge)
    submission, created = kind.submit(
        enrollment, values, idempotency_key=idempotency_key, source=SOURCE, assisted_by=manager, now=now
    )
    if created:
        _log(manager, resident, kind.assisted_action, challenge=challenge, submission=submission)
    return submission, created


# What the desk shows -----------------------------------------------------------------------


def enrollments_of(resident: User) -> list[Enrollment]:
    """Every challenge the resident takes or took part in, newest first."""
    return list(
        db.session.scalars(
            select(Enrollment)
            .where(Enrollment.user_id == resident.id)
            .order_by(Enrollment.joined_at.desc(), Enrollment.id.desc())
        )
    )


def joinable_challenges(resident: User, now: datetime | None = None) -> list[Challenge]:
    """Published challenges not yet ended that the resident does not take part in now."""
    taking_part = select(Enrollment.challenge_id).where(Enrollment.user_id == resident.id, Enrollment.active)
    return list(
        db.session.scalars(
            select(Challenge)
            .where(
                Challenge.status.in_((Status.SCHEDULED, Status.ACTIVE)),
                Challenge.ends_at > (now or utcnow()),
                Challenge.id.not_in(taking_part),
            )
            .order_by(Challenge.ends_at, Challenge.id)
        )
    )


def actions_for(resident: User, limit: int = 200) -> list[AssistedAction]:
    """The log of what managers did for this resident at the desk, newest first."""
    return list(
        db.session.scalars(
            select(AssistedAction)
            .where(AssistedAction.resident_id == resident.id)
            .order_by(AssistedAction.created_at.desc(), AssistedAction.id.desc())
            .limit(limit)
        )
    )
