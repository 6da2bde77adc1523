"""The header at 400 % zoom: 320 CSS px wide, 200 % text, in both languages, for every role's menu."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible, assert_reflows
from tests.browser.test_challenges import set_text_size

COMMON = ("/", "/challenges", "/profile", "/rewards", "/leaderboards/season", "/notifications", "/imprint",
          "/privacy-notice", "/accessibility")  # fmt: skip
OWN = {
    Role.RESIDENT: ("/me/consents", "/me/data", "/me/points", "/me/funding"),
    Role.MANAGER: ("/desk", "/rewards/manage", "/challenges/new"),
    Role.ADMIN: ("/admin/users", "/admin/neighbourhoods", "/admin/streets", "/admin/legal"),
}


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MANAGER, Role.ADMIN])
def test_the_header_reflows_at_320_px_and_200_percent_text(app, new_page, make_user, language, role):
    """Long German words ("Benachrichtigungen") and every role's menu fit a 320 px window at 200 % text."""
    user = make_user(role=role, language=language)
    set_text_size(app, user)
    page = new_page(locale="de-DE" if language == "de" else "en-GB", viewport={"width": 320, "height": 640})
    log_in(page, user, language=language)
    for path in (*COMMON, *OWN[role]):
        page.goto(path)
        expect(page.locator("html")).to_have_class(re.compile(r"\bts-200\b"))
        assert_reflows(page)
    assert_accessible(page)


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_menu_collapses_on_narrow_screens_without_javascript(new_page, make_user, language):
    """At 320 px the main menu is a closed disclosure ("Menu") that opens by keyboard; at 1280 px it is a plain
    list of links with no button. JavaScript is off, as for a visitor without it."""
    locale = "de-DE" if language == "de" else "en-GB"
    page = new_page(locale=locale, viewport={"width": 320, "height": 640}, java_script_enabled=False)
    log_in(page, make_user(language=language), language=language)
    menu = page.get_by_role("navigation", name="Main" if language == "en" else "Hauptmenü")
    button = menu.locator("summary")
    expect(button).to_have_text("Menu" if language == "en" else "Menü")
    expect(button).to_be_visible()
    expect(menu.locator("a").first).to_be_hidden()
    button.focus()
    page.keyboard.press("Enter")
    expect(menu.locator("a").first).to_be_visible()
    expect(menu.locator("details")).to_have_attribute("open", "")

    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    expect(button).to_be_hidden()
    expect(menu.locator("a").first).to_be_visible()
    expect(menu.locator("a")).to_have_count(menu.locator("li").count())
