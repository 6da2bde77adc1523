"""Row locks: the one way to serialise what happens to a challenge's totals and to a resident, on SQLite and PostgreSQL.

Lock order. Every unit of work (a request, a job run) takes its locks in this order, so no two
ever wait for each other in a circle:

1. Challenges' rows, before anything in them is scored, joined, left, reviewed or closed
   (`challenges.totals.hold`, and closing's own update of the row). A unit of work that needs
   several locks them all first, in ascending id (`lock_challenges`): the lifecycle job every
   challenge it starts or closes, before closing one pays its finishers; erasing an account every
   running challenge it leaves; `flask scores check --fix` every challenge it repairs. What is
   counted with a challenge — its enrollments' scores and points, its neighbourhood totals and
   score buckets — is written only while its row is held, so those rows never make anyone wait in
   a circle, whenever they come.
2. Residents, in ascending user id. A unit of work that touches several residents locks them all
   first (`lock_residents`) or visits them in ascending id; it never locks a resident whose id is
   lower than one it already holds. Taking a lock it already holds again costs nothing.
3. Rows that residents share, only once it holds every resident it needs: the season standings
   (a resident's own rows, then the periods' head counts, then the periods' score buckets, each in one
   statement with its rows in key order), a voucher, then its reward's row (the stock), and the teams'
   totals per challenge (one statement, rows in (challenge, team) order). Joining or leaving a team takes
   the challenges the resident takes part in, then the resident, then those team rows
   (leaderboards.team_totals).

Who takes a challenge's row: scoring (submitting, reviewing, rescoring), joining and leaving — all
through `challenges.totals.hold`, which then takes the resident's lock — and closing. Who takes a
resident's lock: those, so the daily point cap and the checks against a resident's earlier
submissions are read and booked under it; every change to their points ledger (rewards.ledger, so
also redeeming, cancelling and expiring vouchers); a change to their consents (sharing.services);
and a nudge counted against their weekly limit (notifications.services). Balance checks, limits,
caps and "one grant in force" read inside the lock are then true when the transaction writes.

The rows locked are the challenges' and the residents' own, in the tables that challenges.models
and accounts.models register (plumbing imports no domain). PostgreSQL: `SELECT … FOR NO KEY UPDATE`
in id order, which writes nothing and still lets other transactions insert rows that refer to the
row. SQLite has no row locks (it does not even send FOR UPDATE) but one writer at a time: a write
that changes no row takes that writer lock, for every challenge and resident at once, until the
transaction ends.

Each session remembers the locks its transaction holds (SQLite: that it holds the writer lock), so
taking one again sends nothing: a submission's scoring, ledger and season points each ask for the
resident's lock, and one statement is enough. The memory is dropped whenever a transaction or a
savepoint ends (a savepoint rolled back gives up the row locks taken inside it on PostgreSQL).
"""

from collections.abc import Iterable

from sqlalchemy import Table, event, false, select, update
from sqlalchemy.orm import Session

from app.extensions import db

CHUNK = 1000  # ids per statement, far below PostgreSQL's limit on bind parameters

_tables: dict[str, Table] = {}
_HELD = "civiquest.locks_held"  # in Session.info: the (name, id) locks this transaction holds
_WRITER = ("sqlite", "writer")


@event.listens_for(Session, "after_transaction_end")
def _forget_locks(session, transaction) -> None:
    """A transaction or savepoint ended: what it held may be gone, so the next request for a lock asks again.

    (A flush's inner "subtransaction" ends too, but it is no transaction of the database.)
    """
    if transaction.nested or transaction.parent is None:
        session.info.pop(_HELD, None)


def register_residents(table: Table) -> None:
    """Name the table whose rows are the residents' locks: one row per resident, keyed by user id."""
    _tables["resident"] = table


def register_challenges(table: Table) -> None:
    """Name the table whose rows are the challenges' locks: one row per challenge, keyed by its id."""
    _tables["challenge"] = table


def lock_challenge(challenge_id: int) -> None:
    """Hold one challenge's row until the transaction ends (step 1 of the lock order)."""
    _lock("challenge", (challenge_id,))


def lock_challenges(challenge_ids: Iterable[int]) -> None:
    """Hold these challenges' rows until the transaction ends, taken in ascending id."""
    _lock("challenge", challenge_ids)


def lock_resident(user_id: int) -> None:
    """Hold one resident's lock until the transaction ends."""
    lock_residents((user_id,))


def lock_residents(user_ids: Iterable[int]) -> None:
    """Hold these residents' locks until the transaction ends, taken in ascending user id."""
    _lock("resident", user_ids)


def note_read_under_locks(key: tuple) -> None:
    """Remember that `key` (a row, say) was read after this transaction took the locks that guard it."""
    db.session.info.setdefault(_HELD, set()).add(("read", key))


def read_under_locks(key: tuple) -> bool:
    """Whether `key` was read under its locks in this transaction, so reading it again would find the same."""
    return ("read", key) in db.session.info.get(_HELD, ())


def _lock(name: str, ids: Iterable[int]) -> None:
    held = db.session.info.setdefault(_HELD, set())
    ids = sorted(ident for ident in set(ids) if (name, ident) not in held)
    if not ids or _WRITER in held:
        return
    table = _tables.get(name)
    if table is None:
        raise RuntimeError(f"no {name} table is registered (its domain's models register it when imported)")
    (key,) = table.primary_key.columns
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(table).where(false()).values({key: key}))
        held.add(_WRITER)  # one writer at a time: this transaction now holds every lock there is
        return
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        db.session.execute(select(key).where(key.in_(chunk)).order_by(key).with_for_update(key_share=True))
    held.update((name, ident) for ident in ids)
