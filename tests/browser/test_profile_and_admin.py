"""Profile, access tokens and the admin pages in Chromium, each state checked with axe-core."""

import re

from playwright.sync_api import expect

from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible
from tests.conftest import PASSWORD

PSEUDONYM = re.compile(r"^Pseudonym")
HOUSEHOLD = re.compile(r"^People in your household")


def test_edit_profile(page, make_user, make_neighbourhood):
    """A resident edits the public profile; mistakes are shown accessibly and the saved values stay."""
    make_neighbourhood(name="Harbour")
    user = make_user()
    log_in(page, user)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")
    assert_accessible(page)

    form = page.locator("form").filter(has=page.get_by_role("button", name="Save profile"))
    form.get_by_label(PSEUDONYM).fill("x")
    form.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("alert")).to_contain_text("Pseudonym")
    expect(form.get_by_label(PSEUDONYM)).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    form.get_by_label(PSEUDONYM).fill("Harbour Heron")
    form.get_by_label(re.compile(r"^Neighbourhood")).select_option(label="Harbour")
    form.get_by_label(HOUSEHOLD).fill("4")
    form.get_by_label("Show my pseudonym on public leaderboards").uncheck()
    form.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status")).to_have_text("Your profile is saved.")
    expect(page.get_by_text("Logged in as Harbour Heron")).to_be_visible()
    expect(form.get_by_label(HOUSEHOLD)).to_have_value("4")
    expect(form.get_by_label("Show my pseudonym on public leaderboards")).not_to_be_checked()
    assert_accessible(page)


def test_change_password_with_mistakes(page, make_user):
    """A wrong current password is reported next to its field, then the right one changes the password."""
    user = make_user()
    log_in(page, user)
    page.goto("/profile")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Change password"))
    form.get_by_label(re.compile(r"^Current password")).fill("not my password")
    form.get_by_label(re.compile(r"^Password")).fill("a brand new secret")
    form.get_by_label(re.compile(r"^Repeat password")).fill("a brand new secret")
    form.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)

    form.get_by_label(re.compile(r"^Current password")).fill(PASSWORD)
    form.get_by_label(re.compile(r"^Password")).fill("a brand new secret")
    form.get_by_label(re.compile(r"^Repeat password")).fill("a brand new secret")
    form.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_have_text("Your password is changed.")
    assert_accessible(page)


def test_access_tokens(page, make_user):
    """A resident creates a token, sees its secret once, and revokes it."""
    log_in(page, make_user())
    page.goto("/profile")
    page.get_by_role("link", name="Manage access tokens").click()
    assert_accessible(page)
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)

    page.get_by_label(re.compile(r"^Token name")).fill("meter script")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label("Token", exact=True)).to_have_value(re.compile(r"\S{20,}"))
    expect(page.get_by_role("table", name="Your tokens")).to_contain_text("meter script")
    assert_accessible(page)

    page.get_by_role("button", name="Revoke meter script").click()
    expect(page.get_by_role("status")).to_contain_text("The token is revoked")
    assert_accessible(page)


def test_admin_pages(page, make_user, make_neighbourhood):
    """An admin lists and edits users and neighbourhoods; every page and form error passes axe."""
    make_neighbourhood(name="Northfield", households=1200)
    resident = make_user(pseudonym="Nadia")
    log_in(page, make_user(role="admin"))
    page.get_by_role("link", name="Administration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users and roles")
    assert_accessible(page)

    page.get_by_label("Role").select_option(label="Resident")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 user found.")).to_be_visible()
    page.get_by_role("link", name="Nadia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("User Nadia")
    expect(page.get_by_text(resident.email)).to_be_visible()
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Role")).select_option(label="Community manager")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_have_text("Changes to Nadia saved.")
    assert_accessible(page)

    subnav = page.get_by_role("navigation", name="Administration")
    subnav.get_by_role("link", name="Neighbourhoods").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neighbourhoods")
    assert_accessible(page)
    page.get_by_role("button", name="Add neighbourhood").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Northfield").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Northfield")
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Households")).fill("0")
    page.get_by_role("button", name="Save neighbourhood").click()
    expect(page.get_by_label(re.compile(r"^Households"))).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Households")).fill("1300")
    page.get_by_role("button", name="Save neighbourhood").click()
    expect(page.get_by_role("status")).to_have_text("Neighbourhood Northfield saved.")
    expect(page.get_by_role("table", name="Neighbourhoods")).to_contain_text("1,300")
