"""The one gate for personal data: which residents' data a purpose may use, at what level, at a moment.

Every use of personal data — statistics exports, nudges, any future feature — asks here first
and reads only the residents it returns. A consent at one level also covers less detailed
levels: consent to `individual` use allows neighbourhood and city aggregates.

What "in force" means is defined here once, and everything that asks it — the gate, the consent
grid, revoking, expiry notices, the weekly dividend, the catalogue, the statistics, erasure —
uses `in_force` (in SQL) or `is_in_force` (on a loaded consent):

- At a moment `at`, a consent is in force from the moment it is granted up to, not including,
  the moment it expires or is ended: `granted_at <= at < expires_at` and not `ended_at <= at`.
  A consent granted at `at` is in force at `at`; one expiring or ended at `at` no longer is.
- For a period `[begin, end)` — a statistics bucket, a dividend week — "in force at the end of
  the period" is asked at the period's last moment, just before `end` (`in_force_at_end`): what
  happens at `end` belongs to the next period, as it does for every other figure of the period
  (joins, registrations, points are counted while `< end`). So a consent granted exactly at `end`
  does not count for the period, and one expiring (or ended) exactly at `end` was in force until
  the period's end and counts. Timestamps have microsecond resolution, so that last moment is
  `end - 1 µs`.
"""

from datetime import datetime, timedelta

from sqlalchemy import Select, and_, or_, select

from app.columns import utcnow
from app.extensions import db
from sharing.models import Consent, DataCategory, Level, Purpose, levels_allowing

# The finest step between two stored timestamps (Python's and both databases' resolution).
RESOLUTION = timedelta(microseconds=1)


def in_force(at: datetime) -> tuple:
    """The conditions under which a consent is in force at `at`: granted, not yet expired, not ended."""
    return Consent.granted_at <= at, Consent.expires_at > at, or_(Consent.ended_at.is_(None), Consent.ended_at > at)


def in_force_at_end(end: datetime) -> tuple:
    """The conditions under which a consent is in force at the end of a period that stops before `end`."""
    return in_force(end - RESOLUTION)


def is_in_force(consent: Consent, at: datetime) -> bool:
    """Whether a loaded consent is in force at `at`: the same boundaries as `in_force`, without a query."""
    ended = consent.ended_at is not None and consent.ended_at <= at
    return consent.granted_at <= at < consent.expires_at and not ended


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
