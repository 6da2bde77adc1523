"""The resident's meter page in Chromium, in English and German: a refused link shows its errors by the fields,
then the meter is linked, the page points to the consent grid's row and the meter is unlinked; axe finds nothing
and nothing scrolls sideways at 320 px or at 200 % text, on every step."""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from sharing import defaults
from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible

BROWSER_LOCALE = {"en": "en-GB", "de": "de-DE"}
WORDS = {
    "en": ("Meter number (Zählernummer)", "Customer number at the utility", "Link meter", "Unlink meter"),
    "de": ("Zählernummer", "Kundennummer beim Versorger", "Zähler verknüpfen", "Verknüpfung mit Zähler"),
}


@pytest.mark.parametrize("language", ["en", "de"])
def test_linking_and_unlinking_a_meter(app, new_page, make_user, language):
    """A plain form, its errors tied to the fields, then the linked meter and the way to its consent."""
    resident = make_user(language=language)
    with app.app_context():
        defaults.install_defaults()
        db.session.commit()
    meter, customer, link, unlink = WORDS[language]
    page = new_page(locale=BROWSER_LOCALE[language])
    log_in(page, resident, language=language)
    page.goto("/me/meter")
    assert_accessible(page)
    page.get_by_label(meter, exact=False).first.fill("!")
    page.get_by_role("button", name=link).click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#meter_number")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#customer_number")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.locator("#meter_number").fill("1 ESY 1160 4711")
    page.get_by_label(customer, exact=False).fill("K-100200")
    page.get_by_role("button", name=link).click()
    expect(page.get_by_text("1ESY11604711").first).to_be_visible()
    assert_accessible(page)
    page.locator('a[href$="#consent-meter_readings-challenge_scoring"]').click()
    expect(page.locator("#consent-meter_readings-challenge_scoring")).to_be_attached()
    page.goto("/me/meter")
    page.get_by_role("button", name=unlink).click()
    expect(page.locator("#meter_number")).to_have_value("")
    assert_accessible(page)
