"""The pages added for a German city's go-live in a real browser: forgotten password, the legal pages and
their admin pages, in English and German, at 320 px wide and at 200 % text: axe finds nothing and no page
scrolls sideways."""

import pytest
from playwright.sync_api import expect

from accounts.models import Role, User
from app.extensions import db
from sharing import defaults
from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible

VISITOR_PAGES = ["/password/forgot", "/imprint", "/privacy-notice", "/accessibility", "/api-documentation", "/register"]
ADMIN_PAGES = ["/admin/legal", "/admin/legal/imprint", "/admin/legal/privacy", "/admin/legal/accessibility"]
NARROW = {"width": 320, "height": 720}
PHONE = {"width": 390, "height": 844}  # at 200 % text, as the suite's other reflow tests
BROWSER_LOCALE = {"en": "en-GB", "de": "de-DE"}


@pytest.fixture
def catalogue(app):
    with app.app_context():
        defaults.install_defaults()
        db.session.commit()


@pytest.mark.parametrize("language", ["en", "de"])
def test_visitor_pages_pass_axe_and_reflow_at_320_px(new_page, catalogue, language):
    """A visitor on a 320 px screen (400 % zoom) reads every new page without scrolling sideways."""
    page = new_page(locale=BROWSER_LOCALE[language], viewport=NARROW)
    for path in VISITOR_PAGES:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_accessible(page)  # with reflow at 320 px and 200 % text


@pytest.mark.parametrize("language", ["en", "de"])
def test_admin_and_legal_pages_at_200_percent_text(app, new_page, make_user, catalogue, language):
    """An admin at 200 % text on a 390 px phone: the legal pages and their edit pages reflow and pass axe."""
    admin = make_user(role=Role.ADMIN, language=language)
    with app.app_context():
        db.session.get(User, admin.id).text_scale = 200
        db.session.commit()
    page = new_page(locale=BROWSER_LOCALE[language], viewport=PHONE)
    log_in(page, admin, language=language)
    for path in [*VISITOR_PAGES[:-1], *ADMIN_PAGES]:
        page.goto(path)
        assert_accessible(page)


def test_the_feedback_form_works_by_keyboard_and_confirms(new_page):
    """Sending accessibility feedback: the form's errors are accessible, the confirmation is announced."""
    page = new_page(viewport=NARROW)
    page.goto("/accessibility")
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your message").fill("The leaderboard table is hard to read with my screen reader.")
    page.get_by_label("Your message").press("Tab")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Send the message").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    assert_accessible(page)
