"""Shared fixtures: one app per session on SQLite (or PostgreSQL when TEST_DATABASE_URL is set),
built by the real migrations; every test starts from empty tables."""

import os
import re
from pathlib import Path

import flask_migrate
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import has_app_context
from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import Engine

from accounts import services as accounts
from accounts.models import Role
from app import create_app
from app.config import TestConfig
from app.extensions import db, limiter
from neighbourhoods import services as neighbourhoods

PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parents[1]


def _postgres_schema(url: str, schema: str, create: bool) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if create:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """SQLite in a temp dir, or a schema of its own in TEST_DATABASE_URL, so runs (and xdist workers) never collide.

    PostgreSQL commits without waiting for its WAL to reach the disk (synchronous_commit=off), as SQLite
    does under TestConfig.SQLITE_SYNCHRONOUS: a commit is seen by every connection at once all the same,
    only a crash of the server could lose it, and a test database need not survive one.
    """
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    schema = f"test_{os.getpid()}"
    _postgres_schema(url, schema, create=True)
    options = f"-csearch_path={schema} -csynchronous_commit=off"
    yield make_url(url).update_query_dict({"options": options}).render_as_string(hide_password=False)
    _postgres_schema(url, schema, create=False)


@pytest.hookimpl(trylast=True)  # after tests/browser/conftest.py has marked its tests
def pytest_collection_modifyitems(items):
    """Run the long tests first: the property-based ones (hypothesis and schemathesis, up to a minute
    each), then the browser tests, then the quick rest in their usual order.

    `make test` hands the tests to two xdist workers, two at a time, in this order; started last, one
    long test would keep one worker busy while the other sits idle. The order is the same in every
    worker, as xdist requires.
    """

    def rank(item) -> int:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            return 0
        return 1 if item.get_closest_marker("browser") else 2

    items.sort(key=rank)


def compile_translations() -> None:
    """Compile each catalogue whose .mo is missing or stale, as `make` does, so pages are served translated."""
    for po_path in (ROOT / "app" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file)
        partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
        with partial.open("wb") as mo_file:
            write_mo(mo_file, catalogue, use_fuzzy=False)
        os.replace(partial, mo_path)  # atomic: a parallel run never reads half a file


@pytest.fixture(scope="session")
def app(database_url):
    """The app under test, its schema made by the migrations, as in production."""
    compile_translations()
    app = create_app(type("SessionTestConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url}))
    with app.app_context():
        flask_migrate.upgrade()
        app.extensions["tests.sequences"] = _owned_sequences()
    app.extensions["tests.children_first"] = list(reversed(db.metadata.sorted_tables))  # sorting takes a while
    yield app
    with app.app_context():
        db.engine.dispose()


# The table of an INSERT as SQLAlchemy writes it on both databases: INSERT [OR …] INTO [schema.]["]table["].
_INSERT_INTO = re.compile(r'\s*INSERT\s+(?:OR\s+\w+\s+)?INTO\s+(?:"?\w+"?\.)?"?(\w+)"?', re.IGNORECASE)
_written: set[str] = set()


@event.listens_for(Engine, "before_cursor_execute")
def _note_inserts(_connection, _cursor, statement, _parameters, _context, _executemany):
    """Remember each table inserted into, through any connection: the test's, a request's, a thread's,
    the live server's (a failed INSERT counts too: on PostgreSQL it used up a sequence value)."""
    if match := _INSERT_INTO.match(statement):
        _written.add(match[1])


def _owned_sequences() -> dict[str, list[str]]:
    """PostgreSQL: the sequences behind each table's serial or identity columns (in an app context)."""
    if db.engine.dialect.name != "postgresql":
        return {}
    rows = db.session.execute(
        text(
            "SELECT t.relname, quote_ident(n.nspname) || '.' || quote_ident(s.relname) "
            "FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace "
            "JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass "
            "AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
            "JOIN pg_class t ON t.oid = d.refobjid "
            "WHERE s.relkind = 'S' AND n.nspname = current_schema()"
        )
    )
    owned: dict[str, list[str]] = {}
    for table, sequence in rows:
        owned.setdefault(table, []).append(sequence)
    db.session.rollback()
    return owned


@pytest.fixture(autouse=True)
def _empty_tables(request):
    """After each test, delete the rows it wrote so no test sees another's data.

    Every test starts from empty tables, so only the tables it inserted into can hold rows: those are
    emptied, children first, and on PostgreSQL their sequences restart at 1, as the TRUNCATE … RESTART
    IDENTITY of every table did before, at a fraction of its cost. The rows are really committed
    (threads, the live server and other apps' engines must see them), so nothing is rolled back:
    wrapping each test in a rolled-back transaction saved only 1.6 ms (SQLite) and 4.4 ms
    (PostgreSQL) a test over this, not worth emulating independent sessions on one connection.
    """
    yield
    if "app" not in request.fixturenames or not _written:
        return
    app = request.getfixturevalue("app")
    written = set(_written)
    with app.app_context():
        for table in app.extensions["tests.children_first"]:
            if table.name in written:
                db.session.execute(table.delete())
        owned = app.extensions["tests.sequences"]
        if sequences := [sequence for table in sorted(written) for sequence in owned.get(table, [])]:
            db.session.execute(text("SELECT " + ", ".join(f"setval('{name}', 1, false)" for name in sequences)))
        db.session.commit()
    _written.difference_update(written)


@pytest.fixture(autouse=True)
def _rate_limits_off():
    """The limiter is one object for every app; a test that switches it on must not leak that."""
    yield
    limiter.enabled = False
    if limiter._storage is not None:
        limiter.reset()


@pytest.fixture
def ctx(app):
    """An app context for tests that call services directly."""
    with app.test_request_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class _Builder:
    """Run a builder inside the current app context, or in a short one of its own.

    Inside a context the object stays attached to the test's session; outside, it is committed
    and returned detached with its columns loaded, ready to be used for ids and log-ins.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, build):
        if has_app_context():
            obj = build()
            db.session.commit()
            return obj
        with self.app.app_context():
            obj = build()
            db.session.commit()
            db.session.refresh(obj)
            db.session.expunge(obj)
            return obj


@pytest.fixture
def make_neighbourhood(app):
    counter = iter(range(1, 10_000))
    builder = _Builder(app)

    def make(name: str | None = None, households: int = 500):
        return builder(lambda: neighbourhoods.create_neighbourhood(name or f"Quarter {next(counter)}", households))

    return make


@pytest.fixture
def make_user(app, make_neighbourhood):
    """Create a user of any role: `make_user(role=Role.MANAGER, email=...)`; password is PASSWORD."""
    counter = iter(range(1, 10_000))
    builder = _Builder(app)

    def make(role: Role | str = Role.RESIDENT, email: str | None = None, pseudonym: str | None = None, **fields):
        number = next(counter)
        role = Role(role)
        if role == Role.RESIDENT and "neighbourhood_id" not in fields:
            fields["neighbourhood_id"] = make_neighbourhood().id
        return builder(
            lambda: accounts.create_user(
                email=email or f"{role.value}{number}@example.org",
                password=PASSWORD,
                pseudonym=pseudonym or f"{role.value.title()} {number}",
                role=role,
                **fields,
            )
        )

    return make


def log_in(client, user, password: str = PASSWORD):
    """Log `client` in through the real log-in form."""
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def login():
    return log_in


def _client_as(app, make_user, role):
    user = make_user(role=role)
    client = app.test_client()
    log_in(client, user)
    client.user = user
    return client


@pytest.fixture
def resident_client(app, make_user):
    return _client_as(app, make_user, Role.RESIDENT)


@pytest.fixture
def manager_client(app, make_user):
    return _client_as(app, make_user, Role.MANAGER)


@pytest.fixture
def staff_client(app, make_user):
    return _client_as(app, make_user, Role.STAFF)


@pytest.fixture
def admin_client(app, make_user):
    return _client_as(app, make_user, Role.ADMIN)


@pytest.fixture
def make_token(app):
    """Create a personal access token for a user and return its secret."""

    def make(user, name: str = "test script") -> str:
        with app.app_context():
            _token, secret = accounts.create_token(accounts.get_user(user.id), name)
            db.session.commit()
            return secret

    return make
