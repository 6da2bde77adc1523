"""Shared counters, added to as the transaction commits: the rows every resident's change adds to.

A challenge's and its neighbourhoods' totals, a score bucket, a season's head count: each submission adds
to one of a few rows that every other submission adds to as well. Written where the change happens, such a
row stays locked until the commit, and everyone behind it waits while its holder still runs Python (checks,
the ledger, badges). Added here instead, the additions are kept in the session and written as it commits:
each table in one statement, its rows in key order, the tables in a fixed order (by `last`, then by name),
the one row everybody shares — a challenge's own — last of all, right before the commit. A row is then
held for the commit only, and two transactions never wait for each other in a circle (app.locks, step 3).

A statement of the same transaction that reads or writes one of these tables writes them first, so the
transaction always sees its own additions. Inside a savepoint they are written at once: a savepoint rolled
back must take them back with it.

Plumbing: the domains register their tables (`register`) and add to them (`add`); this knows none of them.
"""

from sqlalchemy import Table, event, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.util import find_tables

from app.extensions import db
from app.upserts import upsert_adding

_PENDING = "civiquest.counters_pending"  # in Session.info: {table: {key: row of deltas}}
_counters: dict[Table, tuple[tuple[str, ...], tuple[str, ...], bool]] = {}
_last: set[Table] = set()


def register(
    table: Table, keys: tuple[str, ...], columns: tuple[str, ...], insert: bool = True, last: bool = False
) -> None:
    """Name a table of counters: the columns that identify a row, those added to, whether a missing row is
    inserted (else the row always exists and is only updated), and whether it is written after the others
    (the hottest rows: held from their statement to the commit, with nothing in between)."""
    _counters[table] = (keys, columns, insert)
    if last:
        _last.add(table)


def add(table: Table, **row) -> None:
    """Add the row's counter columns to the table's row with its keys, as the transaction commits."""
    keys, columns, _insert = _counters[table]
    session = db.session()
    if session.in_nested_transaction():
        _write(table, [row])
        return
    pending = session.info.setdefault(_PENDING, {}).setdefault(table, {})
    key = tuple(row[name] for name in keys)
    kept = pending.get(key)
    if kept is None:
        pending[key] = dict(row)
    else:
        for name in columns:
            kept[name] += row[name]


def write_pending(session: Session) -> None:
    """Write every addition kept for the commit, now (the tables in their order, their rows in key order)."""
    pending = session.info.pop(_PENDING, None)
    for table in sorted(pending or (), key=lambda t: (t in _last, t.name)):
        columns = _counters[table][1]
        rows = [row for _key, row in sorted(pending[table].items()) if any(row[name] for name in columns)]
        if rows:
            _write(table, rows)


def _write(table: Table, rows: list[dict]) -> None:
    keys, columns, insert = _counters[table]
    if insert:
        upsert_adding(table, rows, keys, *columns)
        return
    for row in rows:  # rows that always exist: an update each
        where = [table.c[name] == row[name] for name in keys]
        db.session.execute(update(table).where(*where).values({name: table.c[name] + row[name] for name in columns}))


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    if session.info.get(_PENDING):
        write_pending(session)


@event.listens_for(Session, "do_orm_execute")
def _write_before_reading(state) -> None:
    """A statement on a table with additions kept for the commit sees them: they are written first."""
    pending = state.session.info.get(_PENDING)
    if pending and not pending.keys().isdisjoint(find_tables(state.statement, include_crud=True)):
        write_pending(state.session)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    """The transaction ended: committed, the additions are written; rolled back, they are gone with the rest."""
    if transaction.parent is None and not transaction.nested:
        session.info.pop(_PENDING, None)
