"""The one gate for personal data: which residents' data a purpose may use, at what level, at a moment.

Every use of personal data — statistics exports, nudges, any future feature — asks here first
and reads only the residents it returns. A consent at one level also covers less detailed
levels: consent to `individual` use allows neighbourhood and city aggregates.
"""

from datetime import datetime

from sqlalchemy import Select, and_, or_, select

from app.columns import utcnow
from app.extensions import db
from sharing.models import Consent, DataCategory, Level, Purpose, levels_allowing


def in_force(at: datetime) -> tuple:
    """The conditions under which a consent is in force at `at`: granted, not yet expired, not ended."""
    return Consent.granted_at <= at, Consent.expires_at > at, or_(Consent.ended_at.is_(None), Consent.ended_at > at)


def allowed(category: str, purpose: str, level: Level | str, at: datetime | None = None) -> Select:
    """A SELECT of the ids of residents whose data `purpose` may use for `category` at `level` at `at`.

    Use it as a subquery (`Submission.user_id.in_(allowed(...))`) so the database does the filtering.
    """
    at = at or utcnow()
    return (
        select(Consent.user_id)
        .join(DataCategory, DataCategory.id == Consent.category_id)
        .join(Purpose, Purpose.id == Consent.purpose_id)
        .where(
            DataCategory.code == category,
            Purpose.code == purpose,
            Consent.level.in_(levels_allowing(Level(level))),
            *in_force(at),
        )
        .distinct()
    )


def allowed_ids(category: str, purpose: str, level: Level | str, at: datetime | None = None) -> set[int]:
    """The same as `allowed`, as a set, for small populations and tests."""
    return set(db.session.scalars(allowed(category, purpose, level, at)))


def is_allowed(user_id: int, category: str, purpose: str, level: Level | str, at: datetime | None = None) -> bool:
    """Whether one resident's data may be used so."""
    query = allowed(category, purpose, level, at).where(and_(Consent.user_id == user_id)).limit(1)
    return db.session.scalar(query) is not None
