"""Data sharing in Chromium: the consent grid (share, change, stop), a receipt, and the data asset statement.

The default catalogue is installed for each test. Every page state the tests reach is checked against
WCAG 2.1 A/AA with axe-core.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role, User
from app.columns import utcnow
from app.extensions import db
from rewards.earnings import credit_data_sharing
from sharing import defaults, services, uses
from sharing.models import DataCategory, Level, Purpose
from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible

CELL = "Trips for Municipal statistics"


@pytest.fixture
def sharer(app, make_user):
    """A resident who shares energy readings for statistics, was paid for it in two months and whose data a
    staff member used once; the default catalogue is installed. Returns the resident."""
    resident, staff = make_user(pseudonym="Mira"), make_user(role=Role.STAFF)
    with app.app_context():
        defaults.install_defaults()
        energy = db.session.scalar(db.select(DataCategory).filter_by(code="energy_readings"))
        stats = db.session.scalar(db.select(Purpose).filter_by(code="municipal_statistics"))
        consent = services.grant(db.session.get(User, resident.id), energy, stats, Level.NEIGHBOURHOOD, 12)
        now = utcnow()
        credit_data_sharing(resident.id, 12, "Municipal statistics", consent.id, "w1", now=now - timedelta(days=40))
        credit_data_sharing(resident.id, 8, "Municipal statistics", consent.id, "w2", now=now)
        uses.record_use(db.session.get(User, staff.id), stats, ["energy_readings"], Level.CITY, {}, [resident.id],
                        description="Quarterly report")  # fmt: skip
        db.session.commit()
    return resident


def named(action: str, name: str = CELL) -> re.Pattern:
    """A grid button's accessible name, "Share: Trips for …"; Chromium puts a space before the hidden part."""
    return re.compile(rf"^{action} ?: {re.escape(name)}$")


def cell(page: Page, name: str = CELL):
    """The grid cell of one category and purpose, found by its Share or Change button."""
    return page.get_by_role("cell").filter(has=page.get_by_role("button", name=named("(Share|Change)", name)))


def test_share_change_and_stop_one_cell(page, sharer):
    """Share trips for statistics, change the level, stop sharing; the history keeps a receipt of each."""
    log_in(page, sharer)
    page.goto("/me/consents")
    expect(page.get_by_role("heading", level=1)).to_have_text("My data sharing")
    grid = page.get_by_role("table", name="Your consents: data in the rows, purposes in the columns")
    expect(grid.get_by_role("columnheader")).to_have_count(len(defaults.PURPOSES))
    expect(grid.get_by_role("rowheader")).to_have_count(len(defaults.CATEGORIES))
    expect(cell(page)).to_contain_text("Not shared")
    assert_accessible(page)

    trips = cell(page)
    trips.get_by_label("Level of detail").select_option("neighbourhood")
    trips.get_by_label("For").select_option("12")
    trips.get_by_role("button", name=named("Share")).click()
    expect(page.get_by_role("status")).to_have_text(
        "Saved: Municipal statistics may now use your Trips at the level “Neighbourhood”."
    )
    expect(cell(page)).to_contain_text("Neighbourhood")
    expect(cell(page).get_by_label("Level of detail")).to_have_value("neighbourhood")
    assert_accessible(page)

    cell(page).get_by_label("Level of detail").select_option("city")
    cell(page).get_by_role("button", name=named("Change")).click()
    expect(page.get_by_role("status")).to_have_text(
        "Saved: Municipal statistics may now use your Trips at the level “City”."
    )
    history = page.get_by_role("table", name="Your consents, newest first")
    expect(history.locator("tbody tr")).to_have_count(3)  # the new one, the replaced one, the energy readings
    expect(history.locator("tbody tr").nth(1)).to_contain_text("Replaced by a change")
    assert_accessible(page)

    page.get_by_role("button", name=named("Stop sharing")).click()
    expect(page.get_by_role("status")).to_have_text("Stopped: Municipal statistics may no longer use your Trips.")
    expect(cell(page)).to_contain_text("Not shared")
    expect(history.locator("tbody tr").first).to_contain_text("Stopped by you")
    assert_accessible(page)

    history.locator("tbody tr").first.get_by_role("link", name="View receipt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consent receipt")
    expect(page.locator(".receipt-fields")).to_contain_text("Trips")
    expect(page.locator(".receipt-fields")).to_contain_text("Stopped by you")
    assert_accessible(page)


def test_my_data_statement(page, sharer):
    """My data lists what is shared, what it earned (chart and table per month) and who used the data."""
    log_in(page, sharer)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My data")
    shared = page.get_by_role("table", name="Your consents in force")
    expect(shared.locator("tbody tr")).to_have_count(1)
    expect(shared.locator("tbody tr")).to_contain_text("Energy meter readings")
    expect(shared.locator("tbody tr")).to_contain_text("20 points")
    expect(page.locator("#earned-total")).to_have_text("20 points")
    expect(page.get_by_role("img", name=re.compile(r"^Points earned by sharing data, per month"))).to_be_visible()
    months = page.get_by_role("table", name="Points earned by sharing data, per month")
    expect(months.locator("tbody tr")).not_to_have_count(0)
    used = page.get_by_role("table", name="Uses of your data, newest first")
    expect(used.locator("tbody tr")).to_have_count(1)
    expect(used.locator("tbody tr")).to_contain_text("City statistics office")
    assert_accessible(page)


def test_the_consent_page_in_german(app, page, sharer):
    """A resident who chose German sees the grid in German, and it passes axe."""
    log_in(page, sharer)
    with app.app_context():
        db.session.get(User, sharer.id).language = "de"
        db.session.commit()
    page.goto("/me/consents")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    grid = page.locator("table.consent-grid")
    expect(grid.get_by_role("rowheader", name=re.compile(r"^Wege"))).to_be_visible()
    expect(grid.get_by_role("columnheader", name=re.compile(r"^Städtische Statistik"))).to_be_visible()
    assert_accessible(page)
