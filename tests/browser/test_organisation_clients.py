"""The admin pages for organisation clients in Chromium, in English and German, at 320 px and at 200 % text:
registering a till (its form errors, then its secret shown once), the list, revoking; axe finds nothing and no
page scrolls sideways."""

import pytest
from playwright.sync_api import expect

from accounts.models import Role, User
from app.extensions import db
from rewards.catalogue.services import create_partner
from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible
from tests.browser.test_display import scrolls_sideways

BROWSER_LOCALE = {"en": "en-GB", "de": "de-DE"}
VIEWS = {"320 px": ({"width": 320, "height": 720}, 100), "200 % text": ({"width": 390, "height": 844}, 200)}
WORDS = {
    "en": ("Name of the system", "Register client", "Client secret", "Revoke"),
    "de": ("Name des Systems", "Client registrieren", "Client-Geheimnis", "Sperren"),
}


# What sticks out past the window (outside the tables' own scrolling regions), to name it when a page scrolls.
WIDE = """() => [...document.querySelectorAll('body *')]
    .filter(e => !(e.parentElement && e.parentElement.closest('.table-scroll'))
    && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .map(e => e.outerHTML.slice(0, 120))"""


def _check(page, where: str) -> None:
    page.wait_for_load_state("load")  # the stylesheet and fonts applied, not just the first paint
    assert not scrolls_sideways(page), f"{where} scrolls sideways: {page.evaluate(WIDE)}"
    assert_accessible(page)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("language", ["en", "de"])
def test_registering_and_revoking_a_till(app, new_page, make_user, language, view):
    """An admin registers a till for the pool (after a refused attempt), copies its secret, then revokes it."""
    viewport, text_scale = VIEWS[view]
    admin = make_user(role=Role.ADMIN, language=language)
    with app.app_context():
        db.session.get(User, admin.id).text_scale = text_scale
        create_partner("Stadtbad")
        db.session.commit()
    name, register, secret, revoke = WORDS[language]
    page = new_page(locale=BROWSER_LOCALE[language], viewport=viewport)
    log_in(page, admin, language=language)
    page.goto("/admin/clients")
    _check(page, f"/admin/clients ({language}, {view})")
    page.get_by_label(name).fill("Kasse Stadtbad")
    page.locator("#organisation").fill("Stadtbad")
    page.locator("#vouchers_validate").check()
    page.get_by_role("button", name=register).click()
    expect(page.get_by_role("alert")).to_be_visible()  # vouchers:validate without a partner
    _check(page, f"the refused form ({language}, {view})")
    page.locator("#vouchers_validate").check()
    page.locator("#partner_id").select_option(label="Stadtbad")
    page.get_by_role("button", name=register).click()
    assert len(page.get_by_label(secret).input_value()) > 30
    _check(page, f"the secret page ({language}, {view})")
    page.goto("/admin/clients")
    page.get_by_role("button", name=f"{revoke} Kasse Stadtbad").click()
    expect(page.get_by_role("status")).to_be_visible()
    _check(page, f"/admin/clients after revoking ({language}, {view})")
