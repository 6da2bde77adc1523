"""Running requests at the same moment: each thread is one request with its own app context, session
and transaction, committed or rolled back by itself, released together by a barrier."""

import fcntl
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url

from app import create_app
from app.config import TestConfig
from app.errors import DomainError
from app.extensions import db


def race_app(database_url: str, threads: int):
    """The app again, with a pooled connection for every thread, so the race happens inside the database."""
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": threads + 2}}
    return create_app(type("RaceTestConfig", (TestConfig,), settings))


@contextmanager
def one_race_at_a_time(database_url: str):
    """Hold the machine-wide race lock while a race app and its pool of connections exist.

    Under xdist two workers could each hold a pool of 50 connections at once and exceed PostgreSQL's
    max_connections (100 by default); racing modules therefore take turns, across worker processes.
    """
    name = make_url(database_url).database or "sqlite"
    path = Path(tempfile.gettempdir()) / f"civiquest-races-{Path(name).name}.lock"
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def race(app, count: int, work) -> list[tuple]:
    """Run `work(i)` in `count` threads released together; ("ok", value), ("refused", error) or ("crash", repr)."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def one(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                value = work(index)
                db.session.commit()
                results[index] = ("ok", value)
            except DomainError as error:
                db.session.rollback()
                results[index] = ("refused", error)
            except Exception as error:  # anything else is what the tests look for
                db.session.rollback()
                results[index] = ("crash", repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    crashes = [r for r in results if r is None or r[0] == "crash"]
    assert not crashes, f"every request ends in success or a domain error, not {crashes}"
    return results


def outcomes(results) -> dict:
    """How many requests succeeded and how many were refused with each error."""
    counted = {}
    for kind, value in results:
        key = "ok" if kind == "ok" else type(value).__name__
        counted[key] = counted.get(key, 0) + 1
    return counted
