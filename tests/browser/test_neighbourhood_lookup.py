"""Finding one's neighbourhood by street at registration, in Chromium without JavaScript: the lookup form,
its answers (one neighbourhood chosen, candidates to pick from, no match, a field error) pass axe and reflow
in English and German, and the admin's street upload page too."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible, assert_accessible_without_script
from tests.neighbourhoods.test_streets import city  # noqa: F401 - a fixture

WORDS = {
    "en": {"street": "Street", "find": "Find my neighbourhood", "neighbourhood": "Neighbourhood",
           "chosen": "You live in Altstadt.", "several": "several neighbourhoods", "none": "No street matches.",
           "required": "Type your street, your postcode or both."},
    "de": {"street": "Straße", "find": "Mein Quartier finden", "neighbourhood": "Quartier",
           "chosen": "Sie wohnen in Altstadt.", "several": "mehreren Quartieren", "none": "Keine Straße passt.",
           "required": "Geben Sie Ihre Straße, Ihre Postleitzahl oder beides ein."},
}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_visitor_finds_their_neighbourhood_without_javascript(new_page, city, language):  # noqa: F811
    """Typing "Hauptstr. 12" chooses Altstadt; "Bahnhofstraße" offers two links, one chooses Nordend."""
    words = WORDS[language]
    locale = "de-DE" if language == "de" else "en-GB"
    page = new_page(locale=locale, java_script_enabled=False)
    checker = new_page(locale=locale)
    page.goto("/register")
    select = page.get_by_label(re.compile(f"^{words['neighbourhood']}"))
    expect(select).to_have_value("")  # nothing is chosen for the visitor
    page.get_by_role("button", name=words["find"]).click()
    expect(page.get_by_role("alert")).to_contain_text(words["required"])
    assert_accessible_without_script(page, checker)

    page.get_by_label(re.compile(f"^{words['street']}")).fill("Hauptstr. 12")
    page.get_by_role("button", name=words["find"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["chosen"])
    expect(select.locator("option:checked")).to_have_text("Altstadt")
    assert_accessible_without_script(page, checker)

    page.get_by_label(re.compile(f"^{words['street']}")).fill("Bahnhofstraße")
    page.get_by_role("button", name=words["find"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["several"])
    assert_accessible_without_script(page, checker)
    page.get_by_role("link", name="Bahnhofstraße, 79106: Nordend").click()
    expect(select.locator("option:checked")).to_have_text("Nordend")

    page.get_by_label(re.compile(f"^{words['street']}")).fill("Nirgendwo")
    page.get_by_role("button", name=words["find"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["none"])
    assert_accessible_without_script(page, checker)


def test_the_street_upload_page_passes_axe(page, make_user, city):  # noqa: F811
    """The admin's street page, with a report of wrong rows, passes axe and reflows."""
    log_in(page, make_user(role=Role.ADMIN))
    page.goto("/admin/streets")
    expect(page.get_by_role("status")).to_contain_text("The table holds 5 rows.")
    page.get_by_label(re.compile("^CSV file of streets")).set_input_files(
        files=[{"name": "streets.csv", "mimeType": "text/csv", "buffer": "Straße;PLZ;Stadtteil\nA;1;X\n".encode()}]
    )
    page.get_by_role("button", name="Upload and replace").click()
    expect(page.get_by_role("table", name="Rows to correct")).to_contain_text("is not a postcode")
    assert_accessible(page)
