"""Reconciliation: every running total recomputed from what it adds up; differences reported, repaired on request.

The domains that keep totals register their checks here (`register`; app.wiring lists them, in the
order they run): challenges' enrollments from their submissions, then the challenges' and
neighbourhoods' totals from the enrollments, then leaderboards' histograms and season points. A
repair therefore comes before the totals adding up what it repaired are looked at. Each check
compares a total with what it adds up in one SQL statement where it can, so both are read at one
moment and a request committing meanwhile never shows as a difference.

`flask scores check [--fix]` runs it by hand; the nightly job (app.tasks) logs what it finds.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func

from app.extensions import db
from app.locks import lock_challenges, lock_residents

log = logging.getLogger(__name__)

# Sums of floats added in another order differ in their last bits: below this (relative) it is the same total.
TOLERANCE = 1e-6
LOGGED = 200  # differences the nightly job logs one by one; beyond that, only how many


@dataclass(frozen=True)
class Difference:
    """One kept total that is not what it adds up: which, what it holds, and what it should."""

    what: str  # readable: 'challenge 4 "Car-free March"', 'enrollment 12 (challenge 4, resident 7)'
    column: str
    kept: float
    recomputed: float
    challenge_id: int | None = None  # the challenge whose row a repair locks, if any
    user_id: int | None = None  # the resident whose lock a repair takes, if any
    key: tuple = ()  # anything else its check's repair needs to find the total again

    def __str__(self) -> str:
        return f"{self.what}: {self.column} is {_number(self.kept)}, recomputed {_number(self.recomputed)}"


def _number(value: float) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Check:
    """One kind of total: `find` lists its differences; `repair` sets the totals found to what they add up."""

    name: str
    find: Callable[[], list[Difference]]
    repair: Callable[[list[Difference]], None]


CHECKS: list[Check] = []


def register(check: Check) -> None:
    """Add a check, run after those registered before it; registering a name again keeps the first."""
    if all(known.name != check.name for known in CHECKS):
        CHECKS.append(check)


def differs(kept, recomputed):
    """SQL: the kept float total is not the recomputed one, beyond what the order of adding explains."""
    return func.abs(kept - recomputed) > TOLERANCE * (1 + func.abs(recomputed))


def same(kept: float, recomputed: float) -> bool:
    """In Python: the kept total is the recomputed one, give or take what the order of adding explains."""
    return abs(kept - recomputed) <= TOLERANCE * (1 + abs(recomputed))


def run(fix: bool = False) -> list[Difference]:
    """The differences every check finds; with `fix`, repaired as well, and returned as found before.

    Repairing locks every challenge and resident found first (app.locks' order), then has each check
    find its differences again under those locks and set them to what they add up, check by check.
    Flushes only: the caller commits.
    """
    found = [difference for check in CHECKS for difference in check.find()]
    if fix and found:
        lock_challenges(d.challenge_id for d in found if d.challenge_id is not None)
        lock_residents(d.user_id for d in found if d.user_id is not None)
        for check in CHECKS:
            if differences := check.find():
                check.repair(differences)
                db.session.flush()
    return found


def report(differences: list[Difference], fixed: bool = False) -> None:
    """Log what a run found: one warning per difference, or one line saying every total agrees."""
    if not differences:
        log.info("Scores check: every total agrees with what it adds up.")
        return
    for difference in differences[:LOGGED]:
        log.warning("Scores check: %s", difference)
    unlogged = len(differences) - LOGGED
    more = f" ({unlogged} not logged one by one; `flask scores check` lists them)" if unlogged > 0 else ""
    log.warning("Scores check: %d difference(s)%s%s.", len(differences), ", repaired" if fixed else "", more)
