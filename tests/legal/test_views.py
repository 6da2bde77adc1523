"""The legal pages: footer links everywhere, defaults in both languages, the admin's texts, the privacy notice
drawn from the live data catalogue, and the accessibility statement's feedback form through a real SMTP server."""

import re
from html import unescape

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from accounts.models import Role
from app.extensions import db
from notifications import tasks
from notifications.models import OutboxEmail
from sharing import catalogue, defaults, services
from sharing.display import LEVEL_LABELS
from sharing.models import DataCategory, Level, Purpose
from tests.conftest import log_in
from tests.notifications.conftest import Inbox, free_port

GERMAN = {"Accept-Language": "de"}
LEGAL_LINKS = ('href="/imprint"', 'href="/privacy-notice"', 'href="/accessibility"', 'href="/api-documentation"')


def text_of(response) -> str:
    """The page's text with tags dropped and whitespace collapsed, as a reader sees it."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


@pytest.fixture
def catalogue_installed(app):
    with app.app_context():
        defaults.install_defaults()
        db.session.commit()


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/challenges", "/imprint", "/accessibility"])
def test_every_page_links_the_legal_pages_in_its_footer(client, path):
    """Imprint, privacy notice, accessibility statement and API documentation in the footer; no raw JSON link."""
    page = client.get(path).get_data(as_text=True)
    footer = page[page.index('<footer class="site-footer">') :]
    for link in LEGAL_LINKS:
        assert link in footer
    assert "openapi.json" not in footer


def test_the_api_documentation_page_keeps_the_openapi_description_reachable(client):
    """The OpenAPI file is one link away, from a page that explains it."""
    page = client.get("/api-documentation")
    assert page.status_code == 200 and 'href="/api/openapi.json"' in page.get_data(as_text=True)


def test_registration_links_the_privacy_notice(client):
    """Whoever registers can read the privacy notice first."""
    assert 'href="/privacy-notice"' in client.get("/register").get_data(as_text=True)


def test_the_pages_show_their_default_texts_in_both_languages(app, client):
    """Before an admin edits anything, each page has a sound default, in the reader's language."""
    imprint = text_of(client.get("/imprint"))
    assert "Imprint" in imprint and "Published by" in imprint and app.config["SHARING_CONTROLLER_EMAIL"] in imprint
    german = text_of(client.get("/imprint", headers=GERMAN))
    assert "Impressum" in german and "Herausgeber" in german and "Published by" not in german
    statement = text_of(client.get("/accessibility", headers=GERMAN))
    assert "Erklärung zur Barrierefreiheit" in statement and "teilweise" in statement and "BITV 2.0" in statement
    assert "Datenschutzerklärung" in text_of(client.get("/privacy-notice", headers=GERMAN))


def test_an_admin_edits_a_page_in_both_languages(app, client, make_user):
    """The saved texts replace the defaults per language; an empty language falls back to its default."""
    admin = make_user(role=Role.ADMIN)
    log_in(client, admin)
    form = client.get("/admin/legal/imprint").get_data(as_text=True)
    assert "Published by" in form and "Herausgeber" in form  # the form starts from both defaults
    body_en = "## Published by\nCity of Musterstadt\nMarktplatz 1\n\nRepresented by the mayor <b>Erika</b>."
    body_en += "\n\n- one\n- two"
    response = client.post("/admin/legal/imprint", data={"body_en": body_en, "body_de": ""})
    assert response.status_code == 302
    client.post("/logout")
    page = client.get("/imprint").get_data(as_text=True)
    assert "<h2>Published by</h2>" in page and "City of Musterstadt<br>Marktplatz 1" in page
    assert "&lt;b&gt;Erika&lt;/b&gt;" in page  # plain text: markup is shown, never run
    assert "<ul><li>one</li><li>two</li></ul>" in page
    assert "Last updated" in page
    german = text_of(client.get("/imprint", headers=GERMAN))
    assert "Herausgeber" in german and "Musterstadt" not in german
    log_in(client, admin)
    assert "edited on" in text_of(client.get("/admin/legal"))
    assert client.get("/admin/legal/terms").status_code == 404


def test_the_privacy_notice_lists_every_use_the_consent_grid_offers(app, client, catalogue_installed):
    """Each active category × purpose with its recipient, levels, legal basis and retention, from the catalogue."""
    text = text_of(client.get("/privacy-notice"))
    with app.app_context():
        categories, purposes = services.categories(), services.purposes()
        assert categories and purposes
        for category in categories:
            assert category.name_en in text
        for purpose in purposes:
            assert text.count(purpose.name_en) >= len(categories) and purpose.organisation in text
    # one entry per cell of the grid, each naming basis and retention
    assert text.count("Art. 6(1)(a) GDPR") == len(categories) * len(purposes)
    assert text.count("deleted after 24 months") == len(categories) * len(purposes)
    for level in Level:
        assert str(LEVEL_LABELS[level]) in text
    assert "outside the city administration" in text


def test_the_privacy_notice_follows_catalogue_changes_and_retention(app, client, catalogue_installed, monkeypatch):
    """A new purpose appears at once, a switched-off category disappears, the retention setting is the one shown."""
    with app.app_context():
        catalogue.create_entry(
            Purpose, "tree_census", name_en="Tree census", name_de="Baumzählung", explanation_en="Counting trees.",
            explanation_de="Bäume zählen.", organisation="Parks department", third_party=False,
        )  # fmt: skip
        first = db.session.scalars(select(DataCategory).order_by(DataCategory.id)).first()
        first.active, hidden = False, first.name_en
        db.session.commit()
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", 36)
    text = text_of(client.get("/privacy-notice"))
    assert "Tree census" in text and "Parks department" in text
    assert hidden not in text
    assert "deleted after 36 months" in text and "deleted after 24 months" not in text
    assert "Baumzählung" in text_of(client.get("/privacy-notice", headers=GERMAN))


def test_the_accessibility_statement_names_the_enforcement_body(app, client, monkeypatch):
    """The configured enforcement body and its address are on the statement."""
    monkeypatch.setitem(app.config, "ACCESSIBILITY_ENFORCEMENT_BODY", "Durchsetzungsstelle Musterland")
    monkeypatch.setitem(app.config, "ACCESSIBILITY_ENFORCEMENT_URL", "https://durchsetzung.example")
    page = client.get("/accessibility").get_data(as_text=True)
    assert "Durchsetzungsstelle Musterland" in page and 'href="https://durchsetzung.example"' in page
    assert "within 6 weeks" in text_of(client.get("/accessibility"))


@pytest.fixture
def inbox(app, monkeypatch):
    """A real SMTP server on 127.0.0.1 the app sends to."""
    port = free_port()
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_USE_TLS": False,
                        "ACCESSIBILITY_CONTACT_EMAIL": "barrierefrei@city.test"}.items():  # fmt: skip
        monkeypatch.setitem(app.config, name, value)
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    yield received.messages
    controller.stop()


def test_accessibility_feedback_reaches_the_contact_by_email(app, client, inbox):
    """The message goes through the outbox to ACCESSIBILITY_CONTACT_EMAIL, in German, with the sender's address."""
    response = client.post("/accessibility", data={"message": "The chart on /stats has no text.\nPlease fix.",
                                                   "page": "/stats", "reply_to": "vera@example.org"})  # fmt: skip
    assert response.status_code == 302
    assert "Thank you" in text_of(client.get("/accessibility"))
    with app.app_context():
        assert tasks.send_emails() == 1
    [message] = inbox
    assert message["To"] == "barrierefrei@city.test"
    assert message["Subject"] == "Rückmeldung zur Barrierefreiheit der Civiquest-Website"
    text = message.get_body(("plain",)).get_content()
    assert "The chart on /stats has no text." in text and "vera@example.org" in text and "/stats" in text


def test_feedback_is_rate_limited_per_client(app):
    """A client sends a few messages an hour, not a flood into the city's mailbox."""
    from app.extensions import limiter
    from tests.accounts.test_roles import build_app

    limited = build_app(app, RATELIMIT_ENABLED=True, ACCESSIBILITY_FEEDBACK_RATE_LIMIT="2 per hour")
    try:
        client = limited.test_client()
        statuses = [client.post("/accessibility", data={"message": f"Note {n}"}).status_code for n in range(3)]
        assert statuses == [302, 302, 429]
        assert client.get("/accessibility").status_code == 200  # reading the statement is never limited
    finally:
        with limited.app_context():
            db.engine.dispose()
        limiter.init_app(app)


def test_feedback_needs_a_message_and_a_valid_address(app, client, inbox):
    """An empty message or a broken address is refused on the form; nothing is queued."""
    empty = client.post("/accessibility", data={"message": "  ", "reply_to": ""})
    broken = client.post("/accessibility", data={"message": "Hello", "reply_to": "not an address"})
    assert empty.status_code == broken.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0
