"""Participation statistics in Chromium: a staff member filters the dashboard, sees suppressed cells and
charts, corrects a period error, and reads the export history.

The small city of the statistics tests (two neighbourhoods, three residents with trips, consents at different
levels) is reused. Every page state is checked against WCAG 2.1 A/AA with axe-core.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role, User
from app.extensions import db
from stats.release import MEASURE_LABELS
from stats.views import SECTIONS
from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible
from tests.stats.conftest import catalogue, city, exact, give_consent, make_challenge  # noqa: F401  (fixtures)

START, END = "2026-02-23", "2026-03-08"  # the two weeks around the city's trips


@pytest.fixture
def two_residents_suffice(app, monkeypatch):
    """k = 2: a neighbourhood with one consenting resident stays suppressed, the city with two does not."""
    monkeypatch.setitem(app.config, "STATS_MIN_RESIDENTS", 2)


def filters(page: Page):
    return page.get_by_role("search", name="Filter the statistics")


def views(page: Page):
    return page.get_by_role("navigation", name=re.compile("^(Statistics views|Ansichten der Statistik)$"))


def show(page: Page, start: str = START, end: str = END, level: str | None = None) -> None:
    """Fill in the period (and the level) in the filter form and send it."""
    form = filters(page)
    form.get_by_label(re.compile(r"^From")).fill(start)
    form.get_by_label(re.compile(r"^To")).fill(end)
    if level:
        form.get_by_label(re.compile(r"^Level")).select_option(label=level)
    form.get_by_role("button", name="Show figures").click()


def test_staff_filter_the_dashboard(page, make_user, city, two_residents_suffice, exact):  # noqa: F811
    """Per neighbourhood every figure is suppressed and marked; the whole city shows figures, charts and tables."""
    log_in(page, make_user(role=Role.STAFF))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Statistics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Participation statistics")
    show(page)
    expect(page).to_have_url(re.compile(rf"start={START}&end={END}"))
    expect(page.get_by_text("2026-02-23 to 2026-03-08, Per neighbourhood, by Week.")).to_be_visible()
    views(page).get_by_role("link", name="Car-km avoided").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Car-km avoided")
    km = page.get_by_role("table", name="Car-km avoided")
    expect(km.get_by_role("row", name=re.compile(r"^North"))).to_contain_text("suppressed")
    expect(km.locator("td.suppressed").first).to_contain_text("✱")
    expect(page.locator("#suppression-legend")).to_contain_text(
        "Suppressed: the figure rests on fewer than 2 residents"
    )
    assert_accessible(page)

    show(page, level="Whole city")  # the filters are sent back to the view they are on
    expect(page.get_by_text("2026-02-23 to 2026-03-08, Whole city, by Week.")).to_be_visible()
    expect(filters(page).get_by_label(re.compile(r"^Level"))).to_have_value("city")
    km = page.get_by_role("table", name="Car-km avoided")
    expect(km.locator("tfoot td").last).to_have_text("20")  # a1's 10 km by bike and a2's 10 km by bus (no noise)
    expect(km.locator("td.suppressed")).to_have_count(0)
    assert_accessible(page)
    views(page).get_by_role("link", name="Participation over time").click()
    expect(page.get_by_role("img", name=re.compile(r"^Submissions per period"))).to_be_visible()
    participation = page.get_by_role("table", name="Active participants and submissions per period")
    expect(participation.locator("tbody tr")).to_have_count(2)
    assert_accessible(page)


def test_period_error_export_history_and_german(app, page, make_user, city, two_residents_suffice):  # noqa: F811
    """A "To" day before "From" is a field error; the export history lists the dashboard views; German passes."""
    staff = make_user(role=Role.STAFF)
    log_in(page, staff)
    page.goto("/stats")
    show(page, start=END, end=START)
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("To: The last day must not be before the first day.")
    to = filters(page).get_by_label(re.compile(r"^To"))
    expect(to).to_have_attribute("aria-invalid", "true")
    expect(to).to_have_accessible_description(re.compile(r"The last day must not be before the first day\."))
    expect(page.get_by_role("region", name="Downloads")).to_have_count(0)
    assert_accessible(page)
    summary.get_by_role("link", name=re.compile(r"^To")).click()
    expect(to).to_be_focused()

    show(page)
    page.get_by_role("link", name="Export history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export history")
    history = page.get_by_role("table", name="Export history, newest first")
    rows = history.locator("tbody tr")
    expect(rows).to_have_count(2)  # the default period on arrival, then this one; the refused filters logged nothing
    expect(rows.first).to_contain_text("dashboard view")
    expect(rows.first).to_contain_text("2026-02-23 to 2026-03-08, by Week")
    assert_accessible(page)

    with app.app_context():
        db.session.get(User, staff.id).language = "de"
        db.session.commit()
    page.goto(f"/stats/measures/car_km_avoided?start={START}&end={END}")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("#table-car_km_avoided")).to_be_visible()
    assert_accessible(page)


VIEWS = ["/stats", *(f"/stats/{name}" for name in SECTIONS), *(f"/stats/measures/{name}" for name in MEASURE_LABELS)]


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_view_passes_axe_and_reflows(new_page, make_user, city, two_residents_suffice, language):  # noqa: F811
    """The overview and each view, per neighbourhood by day (the widest tables), in both languages: axe finds
    nothing, and none scrolls sideways at 320 px or at 200 % text (assert_accessible checks both)."""
    page = new_page(locale="de-DE" if language == "de" else "en-GB")
    log_in(page, make_user(role=Role.STAFF, language=language), language=language)
    for path in VIEWS:
        page.goto(f"{path}?start={START}&end={END}&level=neighbourhood&granularity=day")
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_accessible(page)


def test_the_overview_is_a_few_screens_long(new_page, make_user, city, two_residents_suffice):  # noqa: F811
    """At 1280 × 800 the German overview, per neighbourhood by day, is under five screens high."""
    page = new_page(locale="de-DE", viewport={"width": 1280, "height": 800})
    log_in(page, make_user(role=Role.STAFF, language="de"), language="de")
    page.goto(f"/stats?start={START}&end={END}&level=neighbourhood&granularity=day")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 5 * 800, height
