"""Builders for notification tests: a frozen week, notifications, email settings and a real local SMTP server."""

import socket
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from app.extensions import db
from notifications import services

# A Wednesday; in Berlin the week runs from Monday 2025-03-10 00:00 (Sunday 23:00 UTC).
WEDNESDAY = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)


@pytest.fixture
def note(app):
    """note(user, kind="rewards", message="badge_awarded", key=None, **fields): notify() and commit."""
    counter = iter(range(1, 10_000))

    def make(user, kind="rewards", message="badge_awarded", key=None, params=None, link=None, now=WEDNESDAY):
        key = key or f"test:{user.id}:{next(counter)}"
        params = {"badge": "Early bird"} if params is None and message == "badge_awarded" else params
        with app.test_request_context():
            outcome = services.deliver(user.id, kind, message, key, params, link, now)
            db.session.commit()
        return outcome

    return make


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the test SMTP server received, as parsed messages."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def email_settings(app, monkeypatch):
    """The app set up to send email to 127.0.0.1 on a free port (nothing listens until `smtp_server`)."""
    port = free_port()
    settings = {
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_USE_TLS": False,
        "SMTP_SENDER": "Civiquest <no-reply@civiquest.test>", "SITE_URL": "https://civiquest.test",
    }  # fmt: skip
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    return port


@pytest.fixture
def smtp_server(email_settings):
    """A real SMTP server (aiosmtpd) on the configured port; `.inbox.messages` holds what arrived."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=email_settings)
    controller.start()
    controller.inbox = inbox
    yield controller
    controller.stop()
