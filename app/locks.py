"""Per-resident locks: the one way to serialise what happens to a resident, on SQLite and PostgreSQL.

Lock order. Every unit of work (a request, a job run) takes its locks in this order, so no two
ever wait for each other in a circle:

1. What scoring writes before its signals pay out: a challenge's row and what is counted with it
   (its neighbourhood totals and score buckets, the season standings).
2. Residents, in ascending user id. A unit of work that touches several residents locks them all
   first (`lock_residents`) or visits them in ascending id; it never locks a resident whose id is
   lower than one it already holds. Taking a lock it already holds again costs nothing.
3. Rows that residents share, only once it holds every resident it needs: a voucher, then its
   reward's row (the stock).

Who takes a resident's lock: every change to their points ledger (rewards.ledger, so also redeeming,
cancelling and expiring vouchers), a change to their consents (sharing.services), and a nudge counted
against their weekly limit (notifications.services). Balance checks, limits and "one grant in force"
read inside the lock are then true when the transaction writes.

The rows locked are the residents' own, in the user table that accounts.models registers (plumbing
imports no domain). PostgreSQL: `SELECT … FOR NO KEY UPDATE` in id order, which writes nothing and
still lets other transactions insert rows that refer to the resident. SQLite has no row locks (it
does not even send FOR UPDATE) but one writer at a time: a write that changes no row takes that
writer lock, for every resident at once, until the transaction ends.
"""

from collections.abc import Iterable

from sqlalchemy import Table, false, select, update

from app.extensions import db

CHUNK = 1000  # ids per statement, far below PostgreSQL's limit on bind parameters

_residents: Table | None = None


def register_residents(table: Table) -> None:
    """Name the table whose rows are the residents' locks: one row per resident, keyed by user id."""
    global _residents
    _residents = table


def lock_resident(user_id: int) -> None:
    """Hold one resident's lock until the transaction ends."""
    lock_residents((user_id,))


def lock_residents(user_ids: Iterable[int]) -> None:
    """Hold these residents' locks until the transaction ends, taken in ascending user id."""
    ids = sorted(set(user_ids))
    if not ids:
        return
    if _residents is None:
        raise RuntimeError("no resident table is registered (accounts.models registers it when imported)")
    (key,) = _residents.primary_key.columns
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(_residents).where(false()).values({key: key}))
        return
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        db.session.execute(select(key).where(key.in_(chunk)).order_by(key).with_for_update(key_share=True))
