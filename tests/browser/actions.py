"""What a visitor does again and again: log in through the form, move focus with the keyboard."""

import re

from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD

EMAIL = re.compile(r"^Email address")
PASSWORD_FIELD = re.compile(r"^Password")  # not "Repeat password" or "Current password"


def log_in(page: Page, user, password: str = PASSWORD) -> None:
    """Log in through the form and wait for the header to greet the user."""
    page.goto("/login")
    page.get_by_label(EMAIL).fill(user.email)
    page.get_by_label(PASSWORD_FIELD).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_text(f"Logged in as {user.pseudonym}")).to_be_visible()


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page: Page, target: Locator, limit: int = 40) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would; fail after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused(target):
            return
    raise AssertionError(f"{target} never received the focus after {limit} presses of Tab")
