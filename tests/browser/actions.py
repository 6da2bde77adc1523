"""What a visitor does again and again: log in through the form, move focus with the keyboard."""

import re

from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD

EMAIL = re.compile(r"^Email address")
PASSWORD_FIELD = re.compile(r"^Password")  # not "Repeat password" or "Current password"
# The log-in form and the greeting after it, in each language the login page may be shown in.
LOG_IN_WORDS = {
    "en": (EMAIL, PASSWORD_FIELD, "Log in", "Logged in as {name}"),
    "de": (re.compile(r"^E-Mail-Adresse"), re.compile(r"^Passwort"), "Anmelden", "Angemeldet als {name}"),
}


def log_in(page: Page, user, password: str = PASSWORD, language: str = "en") -> None:
    """Log in through the form, shown in `language`, and wait for the header to greet the user."""
    email, password_field, button, greeting = LOG_IN_WORDS[language]
    page.goto("/login")
    page.get_by_label(email).fill(user.email)
    page.get_by_label(password_field).fill(password)
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_text(greeting.format(name=user.pseudonym))).to_be_visible()


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page: Page, target: Locator, limit: int = 40) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would; fail after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused(target):
            return
    raise AssertionError(f"{target} never received the focus after {limit} presses of Tab")
