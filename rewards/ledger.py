"""The points ledger: every credit and debit as an entry that is never changed.

Rules kept here, for every caller:
- a resident's balance is the sum of their entries and never goes below zero;
- each entry has a unique source key, so the same event is never credited twice — a repeated
  call returns the entry already there, also under concurrent requests or a job run twice;
- every change first takes the resident's lock (app.locks), so balance checks and the new entry
  happen as one step.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from accounts.models import User
from app.columns import utcnow
from app.extensions import db
from app.locks import lock_resident, lock_residents
from app.spreadsheets import csv_lines
from rewards import errors
from rewards.models import EntryKind, LedgerEntry


def lock_accounts(user_ids: Iterable[int]) -> None:
    """Hold several residents' locks in the one order (app.locks), before a job books anything for them.

    Closing a challenge, refunding expired vouchers and the weekly dividend credit many residents in an
    order of their own; taking every lock first keeps two such jobs from waiting for each other.
    """
    lock_residents(user_ids)


def balance(user_id: int) -> int:
    """The sum of the resident's entries."""
    return db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(LedgerEntry.user_id == user_id)
    )


def find(source_key: str) -> LedgerEntry | None:
    return db.session.scalar(select(LedgerEntry).where(LedgerEntry.source_key == source_key))


def post(
    user_id: int,
    amount: int,
    kind: EntryKind,
    reason: str,
    source: tuple[str, int | None],
    source_key: str,
    params: dict | None = None,
    reverses: LedgerEntry | None = None,
    created_by: User | None = None,
    now: datetime | None = None,
) -> tuple[LedgerEntry, bool]:
    """Add one entry unless `source_key` is already booked; (entry, True) when it is new.

    A debit larger than the balance raises InsufficientPoints. The caller needs no lock of its own:
    this takes the resident's.
    """
    if amount == 0:
        raise ValueError("a ledger entry moves points")
    lock_resident(user_id)
    if existing := find(source_key):
        return existing, False
    if amount < 0 and balance(user_id) + amount < 0:
        raise errors.InsufficientPoints()
    entry = LedgerEntry(
        user_id=user_id, amount=amount, kind=kind, reason=reason, reason_params=params or {},
        source_type=source[0], source_id=source[1], source_key=source_key, reverses=reverses,
        created_by_id=created_by.id if created_by else None, created_at=now or utcnow(),
    )  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:  # booked by another transaction between our check and insert
        if existing := find(source_key):
            return existing, False
        raise
    return entry, True


def credit(user_id: int, amount: int, kind: EntryKind, reason: str, source, source_key: str, **extra):
    """Credit points for an event once; nothing happens for a zero amount (returns None)."""
    if amount <= 0:
        return None
    return post(user_id, amount, kind, reason, source, source_key, **extra)[0]


def credit_first(
    user_id: int, amount: int, kind: EntryKind, reason: str, source: tuple[str, int], params: dict | None = None
) -> LedgerEntry:
    """Credit a source that was made in this transaction and has no entry yet: the first key `settle` would use.

    One INSERT: no other transaction can know the source yet, so the unique source key cannot be taken
    and there is nothing credited to read first (a bug that broke this would fail the request, never
    book twice). The resident's lock is taken as for every change (free when already held).
    """
    if amount <= 0:
        raise ValueError("a first credit adds points")
    lock_resident(user_id)
    entry = LedgerEntry(
        user_id=user_id, amount=amount, kind=kind, reason=reason, reason_params=params or {},
        source_type=source[0], source_id=source[1], source_key=f"{source[0]}:{source[1]}:1", created_at=utcnow(),
    )  # fmt: skip
    db.session.add(entry)
    return entry


def settle(
    user_id: int, owed: int, kind: EntryKind, reason: str, source: tuple[str, int], reversal_reason: str, **extra
) -> LedgerEntry | None:
    """Bring what a source has credited in line with what it is now worth (`owed`).

    Used where an event's value can change after it was credited, like a submission rejected after
    review: the difference is a new `kind` entry (or a `reversal` when it shrinks). A reversal takes
    back at most the current balance, so a resident who already spent the points is never negative;
    the remainder is taken back when the source changes next.
    """
    lock_resident(user_id)
    difference = owed - _still_credited(user_id, source)
    if difference < 0:
        difference = -min(-difference, balance(user_id))
        kind, reason = EntryKind.REVERSAL, reversal_reason
    if difference == 0:
        return None
    booked = db.session.scalar(select(func.count(LedgerEntry.id)).where(_of_source(user_id, source)))
    key = f"{source[0]}:{source[1]}:{booked + 1}"
    return post(user_id, difference, kind, reason, source, key, **extra)[0]


def _of_source(user_id: int, source: tuple[str, int]):
    type_, id_ = source
    return and_(LedgerEntry.user_id == user_id, LedgerEntry.source_type == type_, LedgerEntry.source_id == id_)


def _still_credited(user_id: int, source: tuple[str, int]) -> int:
    """What a source's entries add up to for the resident, less what reverse() took back of them.

    Counting both keeps settle() and reverse() from taking the same points back twice.
    """
    own = select(LedgerEntry.id).where(_of_source(user_id, source))
    return db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.user_id == user_id,
            or_(_of_source(user_id, source), LedgerEntry.reverses_id.in_(own)),
        )
    )


def reverse(entry: LedgerEntry, by: User | None, note: str = "", now: datetime | None = None) -> LedgerEntry:
    """Correct a credit with a `reversal` entry (once per entry), taking back at most the balance."""
    if entry.amount <= 0 or entry.kind in (EntryKind.REVERSAL, EntryKind.REFUND):
        raise errors.NotReversible()
    lock_resident(entry.user_id)
    if existing := find(f"reversal:{entry.id}"):
        return existing
    of = (entry.source_type, entry.source_id)
    left = entry.amount if entry.source_id is None else _still_credited(entry.user_id, of)
    if left <= 0:  # what its source credited was taken back already, e.g. by settle()
        raise errors.NotReversible()
    amount = min(entry.amount, left, balance(entry.user_id))
    if amount <= 0:
        raise errors.InsufficientPoints()
    params = {"note": note, "entry": entry.id}
    source = ("entry", entry.id)
    return post(entry.user_id, -amount, EntryKind.REVERSAL, "correction", source, f"reversal:{entry.id}",
                params=params, reverses=entry, created_by=by, now=now)[0]  # fmt: skip


# Reading the ledger -------------------------------------------------------------------------


def history_query(user_id: int, kinds=None, since: datetime | None = None, until: datetime | None = None):
    """The resident's entries, newest first, optionally of some kinds and between two moments."""
    query = select(LedgerEntry).where(LedgerEntry.user_id == user_id)
    if kinds:
        query = query.where(LedgerEntry.kind.in_(list(kinds)))
    if since is not None:
        query = query.where(LedgerEntry.created_at >= since)
    if until is not None:
        query = query.where(LedgerEntry.created_at < until)
    return query.order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())


def csv_rows(query, describe, when) -> Iterator[str]:
    """The entries of `query` as CSV lines; `describe` and `when` render an entry in the reader's language.

    A generator: the query runs when the first line is read, inside the response's streaming context.
    """
    entries = db.session.scalars(query.execution_options(yield_per=500))
    rows = (
        [entry.id, when(entry), entry.kind.value, entry.amount, describe(entry), entry.source_key,
         (entry.reason_params or {}).get("day", "")]  # the day of the activity paid for, when there was one
        for entry in entries
    )  # fmt: skip
    yield from csv_lines(["id", "date", "kind", "amount", "reason", "source", "activity_day"], rows)
