"""A resident's points as they are shown: balance, lifetime points, and the level those reach.

Levels go by lifetime points, in the one table of thresholds below.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from rewards import ledger
from rewards.models import EARNING_KINDS, LedgerEntry

# (lifetime points needed, name). Spending points never lowers a level; reversals do.
LEVELS = (
    (0, _l("Newcomer")),
    (100, _l("Contributor")),
    (300, _l("Regular")),
    (750, _l("Local hero")),
    (1500, _l("Champion")),
    (3000, _l("Pioneer")),
)


@dataclass(frozen=True)
class Level:
    number: int  # 1-based
    name: str
    threshold: int
    next_threshold: int | None  # None at the top level

    def points_to_next(self, lifetime: int) -> int | None:
        return None if self.next_threshold is None else max(self.next_threshold - lifetime, 0)


def level_for(lifetime: int) -> Level:
    """The highest level whose threshold `lifetime` reaches."""
    index = max(i for i, (threshold, _name) in enumerate(LEVELS) if lifetime >= threshold or i == 0)
    following = LEVELS[index + 1][0] if index + 1 < len(LEVELS) else None
    return Level(number=index + 1, name=str(LEVELS[index][1]), threshold=LEVELS[index][0], next_threshold=following)


def lifetime_points(user_id: int) -> int:
    """Points earned over all time, less what was taken back; spending does not count."""
    return db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.user_id == user_id, LedgerEntry.kind.in_(EARNING_KINDS)
        )
    )


@dataclass(frozen=True)
class Summary:
    balance: int
    lifetime: int
    level: Level


def summary(user_id: int) -> Summary:
    """Balance, lifetime points and level of a resident."""
    lifetime = lifetime_points(user_id)
    return Summary(balance=ledger.balance(user_id), lifetime=lifetime, level=level_for(lifetime))
