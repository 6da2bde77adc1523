"""Browser fixtures: the session's app served by a real werkzeug server, and Chromium through Playwright.

The server runs the very `app` the rest of the suite uses, so the builders (`make_user`, ...) and the
table emptying after each test work unchanged. Every browser test is marked `browser`.
"""

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    """Mark every test in this folder `browser`, so `-m "not browser"` leaves them out."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        """Keep the test output free of one access-log line per request."""


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The base URL of the session's app, served by a threaded werkzeug server on a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; missing Chromium fails the run on CI and skips it elsewhere."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def csrf_enabled(app, monkeypatch):
    """Switch CSRF protection on for this test, so the browser submits the real tokens of every form.

    The shared TestConfig turns it off for the test client; Flask-WTF reads the setting per request.
    """
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture
def new_page(browser, live_server, csrf_enabled):
    """Open a page in a fresh browser context: `new_page(java_script_enabled=False)`."""
    contexts = []

    def open_page(**options) -> Page:
        options = {"base_url": live_server, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    """A page in a fresh browser context with JavaScript on, English, and a desktop viewport."""
    return new_page()
