"""Password reset by email, end to end: the request form, the outbox job, a real SMTP server on loopback
(aiosmtpd), the link in the received mail, the new password; expiry, single use, no enumeration, other
sessions ended, rate limits."""

import re
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from accounts import resets
from accounts.models import Role
from app.columns import utcnow
from app.extensions import db, limiter
from notifications import tasks
from notifications.models import OutboxEmail
from tests.accounts.test_roles import build_app
from tests.conftest import PASSWORD, log_in
from tests.notifications.conftest import Inbox, free_port

NEW_PASSWORD = "larch kettle violet harbour"
LINK = re.compile(r"https://civiquest\.test(/password/reset/[A-Za-z0-9_.\-]+)")


@pytest.fixture
def inbox(app, monkeypatch):
    """A real SMTP server on 127.0.0.1 the app sends to; yields what it received."""
    port = free_port()
    settings = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_USE_TLS": False,
                "SMTP_SENDER": "Civiquest <no-reply@civiquest.test>", "SITE_URL": "https://civiquest.test"}  # fmt: skip
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    yield received.messages
    controller.stop()


def deliver(app) -> int:
    """Run the outbox job, as the scheduler does every minute."""
    with app.app_context():
        return tasks.send_emails()


def ask_for_link(app, client, email: str):
    """Ask for a reset link and run the outbox; returns the answer to the request."""
    response = client.post("/password/forgot", data={"email": email}, follow_redirects=True)
    deliver(app)
    return response


def link_in(message) -> str:
    """The reset page's path from a received email (plain text and HTML both carry it)."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    [path] = LINK.findall(text)
    assert f'href="https://civiquest.test{path}"' in html
    return path


def test_the_login_page_links_the_forgot_page_which_mentions_the_service_desk(client):
    """ "Forgot your password?" is on the log-in page; the form points desk residents to the desk."""
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)
    page = client.get("/password/forgot").get_data(as_text=True)
    assert 'name="email"' in page and "service desk" in page and "new code sheet" in page


def test_a_resident_resets_their_password_by_email(app, client, make_user, inbox):
    """The link arrives by SMTP; the new password works, the old one does not."""
    user = make_user(email="ida@example.org", pseudonym="Ida", language="en")
    ask_for_link(app, client, "  IDA@example.org ")
    [message] = inbox
    assert message["To"] == "ida@example.org" and message["Subject"] == "Set a new password for Civiquest"
    path = link_in(message)
    form = client.get(path)
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    assert form.headers["Referrer-Policy"] == "no-referrer"
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 422
    log_in(client, user, NEW_PASSWORD)


def test_a_german_resident_gets_the_mail_in_german(app, client, make_user, inbox):
    """The mail is written in the account's language."""
    make_user(email="jan@example.org", language="de")
    ask_for_link(app, client, "jan@example.org")
    [message] = inbox
    assert message["Subject"] == "Neues Passwort für Civiquest festlegen"
    assert "60 Minuten" in message.get_body(("plain",)).get_content()


def test_the_new_password_follows_the_password_rules(app, client, make_user, inbox):
    """A common password is refused on the reset page as at registration; the link stays usable."""
    make_user(email="kim@example.org")
    ask_for_link(app, client, "kim@example.org")
    path = link_in(inbox[0])
    refused = client.post(path, data={"password": "password1234", "confirm": "password1234"})
    assert refused.status_code == 422 and "too common" in refused.get_data(as_text=True)
    assert client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302


def test_a_used_link_is_refused(app, client, make_user, inbox):
    """Once the password is set, the same link (and any earlier one) no longer works."""
    user = make_user(email="lea@example.org")
    ask_for_link(app, client, "lea@example.org")
    ask_for_link(app, client, "lea@example.org")
    first, second = (link_in(message) for message in inbox)
    assert client.post(second, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    other = "quince ladder mosaic tundra"
    for path in (second, first):
        again = client.post(path, data={"password": other, "confirm": other})
        assert again.status_code == 400 and "has expired or has been used" in again.get_data(as_text=True)
        assert client.get(path).status_code == 400
    log_in(client, user, NEW_PASSWORD)


def test_an_expired_link_is_refused(app, client, make_user, inbox, monkeypatch):
    """The link works for PASSWORD_RESET_MINUTES (60), not a minute longer."""
    user = make_user(email="max@example.org")
    ask_for_link(app, client, "max@example.org")
    path = link_in(inbox[0])
    asked = utcnow()
    monkeypatch.setattr(resets, "utcnow", lambda: asked + timedelta(minutes=59))
    assert client.get(path).status_code == 200
    monkeypatch.setattr(resets, "utcnow", lambda: asked + timedelta(minutes=61))
    assert client.get(path).status_code == 400
    refused = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert refused.status_code == 400 and "has expired" in refused.get_data(as_text=True)
    log_in(client, user, PASSWORD)


def test_a_forged_or_foreign_token_is_refused(app, client, make_user):
    """A token signed with another key, or mangled, opens nothing."""
    assert client.get("/password/reset/not-a-token").status_code == 400
    user = make_user(email="ned@example.org")
    other = build_app(app, SECRET_KEY="another key")
    with other.app_context():
        forged = resets.make_token(db.session.get(type(user), user.id))
        db.engine.dispose()
    assert client.get(f"/password/reset/{forged}").status_code == 400


def without_csrf_tokens(response) -> str:
    """The page without its forms' CSRF tokens: they are signed with the second they were made, so two pages made
    a second apart differ there, whatever the address was."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"', r'\1"', response.get_data(as_text=True))


def test_an_unknown_address_gets_the_same_answer_and_no_mail(app, client, make_user, inbox):
    """Same status, same page for an address with and without an account; only the account gets mail."""
    make_user(email="ola@example.org")
    known = ask_for_link(app, client, "ola@example.org")
    unknown = ask_for_link(app, client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert without_csrf_tokens(known) == without_csrf_tokens(unknown)
    assert "If an account has this email address" in unknown.get_data(as_text=True)
    assert [message["To"] for message in inbox] == ["ola@example.org"]
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxEmail.id))) == 1


def test_an_account_without_email_gets_nothing(app, client, make_user, inbox):
    """A resident registered at the desk has no address to send to; the answer is the same."""
    manager = make_user(role=Role.MANAGER)
    log_in(client, manager)
    client.post("/logout")
    response = ask_for_link(app, client, "")
    assert response.status_code == 422  # the form asks for an address; there is nothing to look up
    assert inbox == []


def test_resetting_ends_every_other_session(app, client, make_user, make_token, inbox):
    """A device logged in with the old password is logged out by the reset; the rest of the account stays
    (a personal access token keeps working: a reset revokes sessions, nothing else)."""
    user = make_user(email="pia@example.org")
    token = make_token(user)
    elsewhere = app.test_client()
    log_in(elsewhere, user)
    assert elsewhere.get("/profile").status_code == 200
    ask_for_link(app, client, "pia@example.org")
    assert client.post(link_in(inbox[0]), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    response = elsewhere.get("/profile")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_reset_requests_are_limited_per_account_and_per_address(app, make_user):
    """A few links an hour per address asked for, whichever client asks; a client is limited across addresses."""
    limited = build_app(app, RATELIMIT_ENABLED=True, PASSWORD_RESET_RATE_LIMIT="2 per hour",
                        PASSWORD_RESET_ADDRESS_RATE_LIMIT="5 per hour")  # fmt: skip
    try:
        one, two = limited.test_client(), limited.test_client()

        def ask(client, email: str, ip: str) -> int:
            return client.post("/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": ip}).status_code

        assert [ask(one, "qi@example.org", "10.0.0.1"), ask(two, "qi@example.org", "10.0.0.2")] == [302, 302]
        assert ask(two, "QI@example.org", "10.0.0.3") == 429  # per account, from anywhere
        statuses = [ask(one, f"r{number}@example.org", "10.0.0.9") for number in range(6)]
        assert statuses == [302] * 5 + [429]  # per client address
    finally:
        with limited.app_context():
            db.engine.dispose()
        limiter.init_app(app)


def test_reset_mails_are_in_the_data_export_and_go_with_the_account(app, client, make_user, inbox):
    """A reset mail is the resident's data: "download my data" lists it, "delete my account" erases it."""
    from accounts.models import User
    from notifications import personal_data
    from privacy import services as privacy

    user = make_user(email="uma@example.org")
    ask_for_link(app, client, "uma@example.org")
    with app.app_context():
        resident = db.session.get(User, user.id)
        [copy] = personal_data._emails(resident)
        assert copy["subject"] == "Set a new password for Civiquest" and copy["sent_at"] is not None
        privacy.delete_account(resident, password=PASSWORD)
        db.session.commit()
        assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0


def test_without_smtp_nothing_is_queued_and_the_operator_is_warned(app, client, make_user, caplog):
    """No SMTP_HOST: the asker gets the usual answer, no row waits in the outbox, the log says why."""
    make_user(email="val@example.org")
    response = client.post("/password/forgot", data={"email": "val@example.org"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0
    assert "SMTP_HOST is not set" in caplog.text
