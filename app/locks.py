"""Row locks: the one way to serialise what happens to a challenge's totals and to a resident, on SQLite and PostgreSQL.

Lock order. Every unit of work (a request, a job run) takes its locks in this order, so no two
ever wait for each other in a circle:

1. Challenges' rows, in one of two modes. *Shared*, by everything that scores, joins or leaves for
   one resident (`challenges.totals.hold`): many residents' submissions to one challenge run side by
   side, and none of them can be overtaken by a close. *Exclusive*, by what changes the challenge as
   a whole — closing (the lifecycle job and `close_challenge` itself), a manager's edit, publishing or
   cancelling, erasing an account (every running challenge it leaves), `flask scores check --fix` —
   which waits for the shared holders to finish and keeps new ones out. A unit of work that needs
   several takes them all first, in ascending id (`lock_challenges`); it never asks for the exclusive
   mode of a row it holds shared.
2. Residents, in ascending user id. A unit of work that touches several residents locks them all
   first (`lock_residents`) or visits them in ascending id; it never locks a resident whose id is
   lower than one it already holds. Taking a lock it already holds again costs nothing.
3. Rows that residents share, only once it holds every resident it needs, each kind in one statement
   with its rows in key order and in this order of kinds: the teams' totals per challenge (rows in
   (challenge, team) order); the resident's own season rows; a voucher, then its reward's row (the
   stock); a community project's row (its pledged total; projects.services: a pledge holds the
   resident, ending a project every backer it knows of, first). Joining or leaving a team takes the
   challenges the resident takes part in (exclusively), then the resident, then those team rows
   (leaderboards.team_totals). Last of all, as the transaction commits, the counters every resident
   adds to (app.counters): the challenges' and their neighbourhoods' totals, the score buckets, the
   seasons' head counts and buckets, each table in one statement in key order, the tables in a fixed
   order with the challenges' own rows last — so those rows are held for the commit only.

Who takes a challenge's row shared: scoring (submitting, reviewing, rescoring), joining and leaving —
all through `challenges.totals.hold`, which then takes the resident's lock. Who takes a
resident's lock: those, so the daily point cap and the checks against a resident's earlier
submissions are read and booked under it; every change to their points ledger (rewards.ledger, so
also redeeming, cancelling and expiring vouchers); a change to their consents (sharing.services);
and a nudge counted against their weekly limit (notifications.services). Balance checks, limits,
caps and "one grant in force" read inside the lock are then true when the transaction writes.

The rows locked are the challenges' and the residents' own, in the tables that challenges.models
and accounts.models register (plumbing imports no domain). PostgreSQL: a resident is `SELECT … FOR
NO KEY UPDATE`, which writes nothing and still lets other transactions insert rows that refer to the
row; a challenge shared is `FOR KEY SHARE` (it lets the others holding it shared add to its totals,
which takes `FOR NO KEY UPDATE` for an instant) and exclusive `FOR UPDATE` (which waits for all of
them). SQLite has no row locks (it does not even send FOR UPDATE) but one writer at a time: a write
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


def share_challenge(challenge_id: int) -> None:
    """Hold one challenge's row shared until the transaction ends (step 1 of the lock order): others may
    score in it at the same time; nobody changes or closes it meanwhile."""
    if ("challenge", challenge_id) not in db.session.info.get(_HELD, ()):  # held exclusively: more than enough
        _lock("challenge-shared", (challenge_id,))


def lock_challenges(challenge_ids: Iterable[int]) -> None:
    """Hold these challenges' rows exclusively until the transaction ends, taken in ascending id.

    Nothing that holds a row shared asks for it exclusively as well (two such would wait for each other);
    PostgreSQL would grant it to one alone, so a test's single transaction may still do both.
    """
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


# How each kind of lock is taken on PostgreSQL: (table, FOR … clause as with_for_update's arguments).
_MODES = {
    "resident": ("resident", {"key_share": True}),  # FOR NO KEY UPDATE
    "challenge": ("challenge", {}),  # FOR UPDATE
    "challenge-shared": ("challenge", {"read": True, "key_share": True}),  # FOR KEY SHARE
}


def _lock(name: str, ids: Iterable[int]) -> None:
    held = db.session.info.setdefault(_HELD, set())
    ids = sorted(ident for ident in set(ids) if (name, ident) not in held)
    if not ids or _WRITER in held:
        return
    table_name, clause = _MODES[name]
    table = _tables.get(table_name)
    if table is None:
        raise RuntimeError(f"no {table_name} table is registered (its domain's models register it when imported)")
    (key,) = table.primary_key.columns
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(table).where(false()).values({key: key}))
        held.add(_WRITER)  # one writer at a time: this transaction now holds every lock there is
        return
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        db.session.execute(select(key).where(key.in_(chunk)).order_by(key).with_for_update(**clause))
    held.update((name, ident) for ident in ids)
