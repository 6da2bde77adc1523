"""Display settings in Chromium: text size, spacing and high contrast really change the rendered page."""

import re

from playwright.sync_api import Page, expect

from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible, assert_reflows, scrolls_sideways


def computed(page: Page, selector: str, prop: str) -> str:
    """The computed value of a CSS property on the first element matching `selector`, once the page's
    stylesheet has loaded (on a busy machine the new page's classes can be there before its CSS)."""
    page.wait_for_load_state("load")
    return page.locator(selector).first.evaluate(f"element => getComputedStyle(element).{prop}")


def apply_settings(form, text_scale: str, line_spacing: str, letter_spacing: str, high_contrast: bool = False):
    """Fill a display form (header panel or page) and submit it."""
    form.get_by_label("Text size").select_option(text_scale)
    form.get_by_label("Line spacing").select_option(label=line_spacing)
    form.get_by_label("Letter spacing").select_option(label=letter_spacing)
    form.get_by_label("High contrast").set_checked(high_contrast)
    form.get_by_role("button", name="Apply display settings").click()


def test_header_panel_applies_and_remembers_settings(page, new_page, make_user):
    """The header's Display panel applies size and spacing at once, and the profile remembers them."""
    user = make_user()
    log_in(page, user)
    page.goto("/profile")
    header = page.get_by_role("banner")
    header.get_by_text("Display", exact=True).click()
    expect(header.get_by_label("Text size")).to_be_visible()
    assert_accessible(page)

    apply_settings(header, "150", "Relaxed", "Wide")
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.get_by_role("status")).to_have_text("Display settings saved.")
    html = page.locator("html")
    expect(html).to_have_class("ts-150 lh-relaxed ls-wide")
    assert computed(page, "html", "fontSize") == "24px"
    assert computed(page, "body", "lineHeight") == "43.2px"  # 1.8 × 24 px
    assert computed(page, "body", "letterSpacing") == "1.44px"  # 0.06 em
    assert computed(page, "main h1", "fontSize") == "48px"  # 2 rem follows the root size
    assert_accessible(page)

    elsewhere = new_page()
    log_in(elsewhere, user)
    expect(elsewhere.locator("html")).to_have_class("ts-150 lh-relaxed ls-wide")
    expect(elsewhere.get_by_role("banner").get_by_label("Text size")).to_have_value("150")


def test_display_page_for_visitors(page):
    """A visitor sets 200 % text with loose spacing on /display; every later page keeps it and reflows."""
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="Display settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Display settings")
    assert_accessible(page)

    apply_settings(page.get_by_role("main"), "200", "Loose", "Wider")
    expect(page.get_by_role("status")).to_have_text("Display settings saved.")
    expect(page.locator("html")).to_have_class("ts-200 lh-loose ls-wider")
    assert computed(page, "html", "fontSize") == "32px"
    assert computed(page, "body", "lineHeight") == "67.2px"  # 2.1 × 32 px
    assert_accessible(page)  # with reflow at 320 px and 200 % text

    page.goto("/register")
    expect(page.locator("html")).to_have_class("ts-200 lh-loose ls-wider")
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    assert not scrolls_sideways(page)
    page.get_by_role("banner").get_by_text("Display", exact=True).click()
    panel = page.get_by_role("banner").locator(".display-panel")
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"display panel leaves the screen: {box}"


def test_high_contrast(page, make_user):
    """High contrast turns the page white on black and every page still passes axe's contrast checks."""
    page.goto("/display")
    apply_settings(page.get_by_role("main"), "100", "Normal", "Normal", high_contrast=True)
    expect(page.locator("html")).to_have_class(re.compile(r"\bhc\b"))
    assert computed(page, "body", "backgroundColor") == "rgb(0, 0, 0)"
    assert computed(page, "body", "color") == "rgb(255, 255, 255)"
    assert computed(page, "footer a", "color") == "rgb(255, 255, 0)"
    assert_accessible(page)

    for path in ("/register", "/login", "/display"):
        page.goto(path)
        assert_accessible(page)
    page.goto("/login")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)

    log_in(page, make_user())  # the visitor's cookie gives way to the account's own settings
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bhc\b"))


def test_pages_reflow_on_a_narrow_screen(new_page, make_user):
    """At 320 CSS pixels wide no page scrolls sideways; wide tables scroll inside their own region."""
    page = new_page(viewport={"width": 320, "height": 640})
    make_user()
    log_in(page, make_user(role="admin"))
    for path in ("/", "/profile", "/tokens", "/display", "/admin/users", "/admin/neighbourhoods"):
        page.goto(path)
        assert_reflows(page)
    assert_accessible(page)
