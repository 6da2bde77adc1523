"""Rate limits that hold across processes: without Redis they are counted in the database (app.rate_limits),
so two processes serving one site count against one limit."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.rate_limits import DatabaseStorage, RateLimitCounter

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_the_database_storage_counts_windows(app):
    """Counts add up within a window and start again after it; keys are stored only as hashes."""
    storage = DatabaseStorage("civiquest+db://")
    with app.app_context():
        assert storage.check()
        assert [storage.incr("login/1.2.3.4|ann@example.org", 60) for _ in range(3)] == [1, 2, 3]
        assert storage.get("login/1.2.3.4|ann@example.org") == 3
        assert time.time() < storage.get_expiry("login/1.2.3.4|ann@example.org") <= time.time() + 60
        assert storage.incr("ended", 0) == 1 and storage.incr("ended", 60) == 1  # its window had ended
        assert "ann@example.org" not in str(db.session.scalars(select(RateLimitCounter.key_hash)).all())
        storage.clear("login/1.2.3.4|ann@example.org")
        assert storage.get("login/1.2.3.4|ann@example.org") == 0
        storage.reset()
        assert db.session.scalar(select(func.count()).select_from(RateLimitCounter)) == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(env: dict) -> tuple[subprocess.Popen, str]:
    """A gunicorn process of its own serving the app; returns it and its address once it answers."""
    port = _free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _attempt in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    server.terminate()
    pytest.fail("gunicorn did not answer")


def _failed_log_in(site: str) -> int:
    """One log-in with a wrong password, as a new visitor on a new connection: the form, then the POST."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{site}/login") as page:
        token = CSRF.search(page.read().decode())[1]
    form = urllib.parse.urlencode(
        {"email": "ann@example.org", "password": "wrong but long enough", "csrf_token": token}
    )
    try:
        with opener.open(f"{site}/login", data=form.encode()) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_two_processes_count_against_one_limit(tmp_path):
    """Log-ins alternate between two gunicorn processes on one database: the 4th of "3 per minute" is refused.

    (With counters in each process's memory, each process allowed three: the 7th would have been the first 429.)
    """
    env = {
        **{name: value for name, value in os.environ.items() if name != "REDIS_URL"},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'limits.db'}", "SECRET_KEY": "two processes, one key",
        "SCHEDULER_MODE": "off", "LOGIN_RATE_LIMIT": "3 per minute", "FLASK_APP": "app",
    }  # fmt: skip
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    first, first_site = _serve(env)
    second, second_site = _serve(env)
    try:
        statuses = [_failed_log_in(site) for site in (first_site, second_site) * 3]
    finally:
        for server in (first, second):
            server.terminate()
            server.wait(timeout=10)
    assert statuses == [422, 422, 422, 429, 429, 429]
