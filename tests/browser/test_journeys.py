"""Whole journeys in Chromium: register, log out and in, language, keyboard only, no JavaScript.

Every page the journey reaches is checked against WCAG 2.1 A/AA with axe-core.
"""

import re

from playwright.sync_api import Page, expect

from tests.browser.actions import EMAIL, PASSWORD_FIELD, is_focused, log_in, tab_to
from tests.browser.axe import assert_accessible, assert_accessible_without_script
from tests.conftest import PASSWORD


def fill_registration(page: Page, email: str, pseudonym: str, neighbourhood: str) -> None:
    page.get_by_label(EMAIL).fill(email)
    page.get_by_label(PASSWORD_FIELD).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Repeat password")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Pseudonym")).fill(pseudonym)
    page.get_by_label(re.compile(r"^Neighbourhood")).select_option(label=neighbourhood)
    page.get_by_label(re.compile(r"^People in your household")).fill("3")


def test_register_log_out_and_log_in_again(page, make_neighbourhood):
    """A visitor registers in a neighbourhood, logs out, and logs in again."""
    make_neighbourhood(name="Riverside")
    make_neighbourhood(name="Old Town")
    page.goto("/")
    assert_accessible(page)

    page.get_by_role("banner").get_by_role("link", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Civiquest")
    assert_accessible(page)
    fill_registration(page, "mira@example.org", "Mira", "Old Town")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("status")).to_have_text("Welcome to Civiquest, Mira!")
    expect(page.get_by_text("Logged in as Mira")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    assert_accessible(page)

    page.get_by_role("banner").get_by_role("link", name="Log in").click()
    assert_accessible(page)
    page.get_by_label(EMAIL).fill("mira@example.org")
    page.get_by_label(PASSWORD_FIELD).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_text("Logged in as Mira")).to_be_visible()
    page.get_by_role("link", name="My profile").click()
    expect(page.locator("dd").first).to_have_text("mira@example.org")
    expect(page.get_by_label(re.compile(r"^Neighbourhood"))).to_have_value(re.compile(r"\d+"))
    expect(page.get_by_label(re.compile(r"^Neighbourhood")).locator("option:checked")).to_have_text("Old Town")
    assert_accessible(page)


def test_forms_with_errors_are_accessible(page, make_user):
    """Registration and log-in with mistakes show linked error messages that pass axe."""
    make_user(email="taken@example.org")
    page.goto("/register")
    page.get_by_label(EMAIL).fill("taken@example.org")
    page.get_by_label(PASSWORD_FIELD).fill("short")
    page.get_by_role("button", name="Create my account").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct the following:")
    expect(page.get_by_label(PASSWORD_FIELD)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(PASSWORD_FIELD)).to_have_accessible_description(re.compile("10 characters"))
    assert_accessible(page)
    summary.get_by_role("link", name=re.compile(r"^Pseudonym")).click()
    expect(page.get_by_label(re.compile(r"^Pseudonym"))).to_be_focused()

    page.goto("/login")
    page.get_by_label(EMAIL).fill("taken@example.org")
    page.get_by_label(PASSWORD_FIELD).fill("not the password")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)


def test_error_pages_are_accessible(page, make_user):
    """The not-found page and the forbidden page pass axe."""
    response = page.goto("/no-such-page")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)

    log_in(page, make_user())
    response = page.goto("/admin/users")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    assert_accessible(page)


def test_switch_to_german_in_the_header(page):
    """The header's language control switches the page to German, on every later page, and back."""
    # The German wording comes from the compiled catalogue (`make translations`).
    page.goto("/register")
    header = page.get_by_role("banner")
    header.get_by_label("Language").select_option("de")
    header.get_by_role("button", name="Switch").click()
    expect(page).to_have_url(re.compile(r"/register$"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bei Civiquest mitmachen")
    expect(header.get_by_label("Sprache")).to_have_value("de")
    assert_accessible(page)

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert_accessible(page)
    header.get_by_label("Sprache").select_option("en")
    header.get_by_role("button", name="Wechseln").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(header.get_by_role("button", name="Switch")).to_be_visible()


def test_keyboard_only(page, make_user):
    """Tab reaches the skip link first, Enter moves focus to main, and log-in works by keyboard alone."""
    user = make_user()
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    assert skip_link.evaluate("element => getComputedStyle(element).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    tab_to(page, page.get_by_role("main").get_by_role("link", name="Log in"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/login$"))
    assert_accessible(page)
    tab_to(page, page.get_by_label(EMAIL))
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    assert is_focused(page.get_by_label(PASSWORD_FIELD))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Logged in as {user.pseudonym}")).to_be_visible()

    # The display panel opens from the keyboard, and its settings apply from the keyboard.
    summary = page.get_by_role("banner").locator(".display-control > summary")
    tab_to(page, summary)
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("banner").get_by_label("High contrast"))
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_class(re.compile(r"\bhc\b"))
    assert_accessible(page)


def test_without_javascript(new_page, make_neighbourhood, make_user):
    """With JavaScript off, a visitor registers, logs out, logs in, and changes the display."""
    make_neighbourhood(name="Hillside")
    existing = make_user()
    page = new_page(java_script_enabled=False)
    checker = new_page()

    page.goto("/register")
    assert_accessible_without_script(page, checker)
    fill_registration(page, "noscript@example.org", "Quiet Reader", "Hillside")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Logged in as Quiet Reader")).to_be_visible()
    assert_accessible_without_script(page, checker)

    page.get_by_role("banner").locator(".display-control > summary").click()
    page.get_by_role("banner").get_by_label("Text size").select_option("175")
    page.get_by_role("button", name="Apply display settings").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bts-175\b"))

    page.get_by_role("button", name="Log out").click()
    log_in(page, existing)
    assert_accessible_without_script(page, checker)
