"""The header at 400 % zoom: 320 CSS px wide, 200 % text, in both languages, for every role's menu."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible
from tests.browser.test_challenges import set_text_size
from tests.browser.test_display import scrolls_sideways

WIDEST = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(e => !e.closest('.table-scroll'))
  .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


COMMON = ("/", "/challenges", "/profile", "/rewards", "/leaderboards/season", "/notifications", "/imprint",
          "/privacy-notice", "/accessibility")  # fmt: skip
OWN = {
    Role.RESIDENT: ("/me/consents", "/me/data", "/me/points", "/me/funding"),
    Role.MANAGER: ("/desk", "/rewards/manage", "/challenges/new"),
    Role.ADMIN: ("/admin/users", "/admin/neighbourhoods", "/admin/legal"),
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
        assert not scrolls_sideways(page), (path, page.evaluate(WIDEST))
    assert_accessible(page)
