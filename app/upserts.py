"""INSERT … ON CONFLICT, spelled for the database in use (PostgreSQL and SQLite both support it)."""

from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db


def dialect_insert(table):
    """An INSERT for `table` that offers `on_conflict_do_nothing` / `on_conflict_do_update`."""
    dialect = db.session.get_bind().dialect.name
    return {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect](table)


def insert_if_missing(table, **values) -> None:
    """Insert one row unless its key exists; atomic, so concurrent callers never collide."""
    db.session.execute(dialect_insert(table).values(**values).on_conflict_do_nothing())


def upsert_adding(table, rows: list[dict], keys: tuple[str, ...], *columns: str):
    """INSERT these rows, or on a key already there add their `columns` to it: atomic on both databases."""
    statement = dialect_insert(table).values(rows)
    return statement.on_conflict_do_update(
        index_elements=[table.c[key] for key in keys],
        set_={column: table.c[column] + statement.excluded[column] for column in columns},
    )
