"""app.locks: a resident's lock makes the next unit of work wait for it, on SQLite and PostgreSQL alike."""

import threading
import time

import pytest
from sqlalchemy import event, insert

from app.extensions import db
from app.locks import lock_residents
from notifications.models import Notification

HOLD = 0.5  # seconds the first transaction keeps its locks


def _waited(app, hold_ids, then) -> float:
    """How long `then()` takes in a second transaction while a first holds `hold_ids` for HOLD seconds."""
    held, waited = threading.Event(), []

    def first():
        with app.app_context():
            lock_residents(hold_ids)
            held.set()
            time.sleep(HOLD)
            db.session.commit()
            db.session.remove()

    def second():
        with app.app_context():
            held.wait(10)
            start = time.monotonic()
            then()
            waited.append(time.monotonic() - start)
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return waited[0]


@pytest.fixture
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer lock for every resident and every write")


def test_a_locked_resident_makes_the_next_unit_of_work_wait(app, make_user):
    """Locking a resident someone holds waits until they commit; ids come in any order and more than once."""
    first, second = make_user().id, make_user().id
    assert _waited(app, [second, first, second], lambda: lock_residents(iter([first]))) >= HOLD * 0.8


def test_nothing_to_lock_sends_no_statement(ctx):
    """An empty list of residents sends nothing to the database."""
    statements = []

    def record(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        lock_residents([])
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert statements == []


@pytest.mark.usefixtures("postgres_only")
def test_other_residents_and_rows_referring_to_a_locked_one_do_not_wait(app, make_user):
    """PostgreSQL locks rows: another resident is free at once, and rows may still point at a locked one."""
    first, second = make_user().id, make_user().id
    assert _waited(app, [first], lambda: lock_residents([second])) < HOLD / 2
    notice = {"user_id": first, "kind": "account", "message": "test", "params": {}, "key": "lock-test"}
    assert _waited(app, [first], lambda: db.session.execute(insert(Notification).values(**notice))) < HOLD / 2


def _statements_of(action) -> list[str]:
    statements = []

    def record(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return statements


def test_a_lock_held_is_not_asked_for_again_until_the_transaction_ends(ctx, make_user):
    """Scoring, the ledger and season points each ask for the resident's lock: one statement takes it, the
    repeats send nothing, and after a commit the next transaction asks again."""
    first, second = make_user().id, make_user().id
    assert len(_statements_of(lambda: lock_residents([first]))) == 1
    assert _statements_of(lambda: lock_residents([first, first])) == []
    other = _statements_of(lambda: lock_residents([first, second]))
    assert len(other) == (0 if db.engine.dialect.name == "sqlite" else 1)  # SQLite: the writer lock covers all
    db.session.commit()
    assert len(_statements_of(lambda: lock_residents([first]))) == 1
