"""Headers: HSTS over HTTPS, no-store on personal pages and API answers, and no Server banner from gunicorn."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_hsts_only_over_https(client):
    """Strict-Transport-Security is sent on HTTPS answers, never on plain HTTP ones."""
    assert (
        client.get("/", base_url="https://civiquest.test")
        .headers["Strict-Transport-Security"]
        .startswith("max-age=31536000")
    )
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.mark.parametrize(
    "path", ["/me/points", "/me/vouchers", "/me/vouchers/NOTHING-HERE", "/profile", "/", "/rewards"]
)
def test_pages_for_a_logged_in_user_are_not_stored(resident_client, path):
    """Every page shown to a logged-in user (they name the user, at least in the header) is no-store."""
    assert resident_client.get(path).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/rewards", "/api/v1/nothing-here"])
def test_api_answers_are_not_stored(resident_client, client, path):
    """Every API answer is no-store, for residents and visitors alike, errors too."""
    assert resident_client.get(path).headers["Cache-Control"] == "no-store"
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_public_pages_and_documents_keep_their_caching(client):
    """A visitor's public page is not marked; a public Open Badges document keeps its own caching."""
    assert "Cache-Control" not in client.get("/rewards").headers
    assert client.get("/badges/issuer").headers["Cache-Control"].startswith("public")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_sends_no_server_banner(tmp_path):
    """Served as `make run` serves it (gunicorn, reading gunicorn.conf.py), no answer names the server."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'banner.db'}", "SCHEDULER_MODE": "off"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "--workers", "1", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _attempt in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/app.css", timeout=2) as answer:
                    headers = answer.headers
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
        assert "Server" not in headers
    finally:
        server.terminate()
        server.wait(timeout=10)
