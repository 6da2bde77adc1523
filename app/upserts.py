"""INSERT … ON CONFLICT, spelled for the database in use (PostgreSQL and SQLite both support it)."""

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_MAX_CACHED_ROWS = 64  # larger batches are rare (a repair): built each time rather than kept
_upserts: dict[tuple, object] = {}


def dialect_insert(table):
    """An INSERT for `table` that offers `on_conflict_do_nothing` / `on_conflict_do_update`."""
    return _INSERTS[db.session.get_bind().dialect.name](table)


def insert_if_missing(table, **values) -> None:
    """Insert one row unless its key exists; atomic, so concurrent callers never collide."""
    db.session.execute(dialect_insert(table).values(**values).on_conflict_do_nothing())


def upsert_adding(table, rows: list[dict], keys: tuple[str, ...], *columns: str, returning=(), derived=()):
    """INSERT these rows, or on a key already there add their `columns` to it: atomic on both databases.
    Runs it and returns the result (with the `returning` columns of each row written). `derived` names
    further columns set from the sums, as (name, function of {column: sum expression}) pairs.

    The statement is built once per shape (table, keys, columns, rows' fields and number) and then only
    given new values: building an ON CONFLICT … excluded statement costs more Python than running it
    (the `excluded` alias copies every column of the table), and a submission runs four of them.
    """
    dialect = db.session.get_bind().dialect.name
    fields = tuple(rows[0])
    shape = (dialect, table, keys, columns, fields, len(rows), tuple(returning), tuple(derived))
    statement = _upserts.get(shape)
    if statement is None:
        statement = _build(dialect, table, keys, columns, fields, len(rows), returning, derived)
        if len(rows) <= _MAX_CACHED_ROWS:
            _upserts[shape] = statement
    values = {f"{name}_{number}": row[name] for number, row in enumerate(rows) for name in fields}
    return db.session.execute(statement, values)


def _build(dialect: str, table, keys, columns, fields, count: int, returning, derived):
    placeholders = [{name: bindparam(f"{name}_{number}", type_=table.c[name].type) for name in fields}
                    for number in range(count)]  # fmt: skip
    insert = _INSERTS[dialect](table).values(placeholders)
    sums = {column: table.c[column] + insert.excluded[column] for column in columns}
    statement = insert.on_conflict_do_update(
        index_elements=[table.c[key] for key in keys],
        set_={**sums, **{name: of_sums(sums) for name, of_sums in derived}},
    )
    return statement.returning(*returning) if returning else statement
