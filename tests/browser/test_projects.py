"""The community project pages in a real browser, in English and German, at 320 px wide and at 200 % text: a
manager publishes a project (a form error first, the target typed as the language writes a thousand), a resident
pledges with JavaScript switched off, and the list, the project page and the manager's pages all pass axe."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from app.extensions import db
from projects.models import Project
from rewards import ledger
from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible, assert_accessible_without_script, scrolls_sideways
from tests.rewards.conftest import grant

NARROW = {"width": 320, "height": 720}
BROWSER_LOCALE = {"en": "en-GB", "de": "de-DE"}
PUBLISH = {"en": "Publish the project", "de": "Projekt veröffentlichen"}
PLEDGE = {"en": "Pledge points", "de": "Punkte zusagen"}
THOUSAND = {"en": "1,000", "de": "1.000"}
PROGRESS = {"en": "250 of 1,000 points pledged (25 %)", "de": "250 von 1.000 Punkten zugesagt (25 %)"}


def _checked(page, path: str, language: str) -> None:
    page.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert not scrolls_sideways(page), f"{path} scrolls sideways ({language})"
    assert_accessible(page)


@pytest.mark.parametrize("language", ["en", "de"])
def test_publish_and_pledge_pass_axe_and_reflow(app, new_page, make_user, language):
    """The manager's list and form (with its errors), the public list and project page, and a pledge without
    JavaScript, each at 320 px and at 200 % text."""
    manager = make_user(role=Role.MANAGER, language=language)
    desk = new_page(locale=BROWSER_LOCALE[language], viewport=NARROW)
    log_in(desk, manager, language=language)
    _checked(desk, "/manage/projects", language)
    _checked(desk, "/manage/projects/new", language)
    desk.get_by_role("button", name=PUBLISH[language]).click()
    expect(desk.get_by_role("alert").first).to_be_visible()
    assert_accessible(desk)
    desk.locator("#title_en").fill("Bike rack at the station")
    desk.locator("#title_de").fill("Fahrradständer am Bahnhof")
    desk.locator("#description_en").fill("Twenty covered places for bikes.")
    desk.locator("#target").fill(THOUSAND[language])
    desk.locator("#deadline").fill((datetime.now(UTC) + timedelta(days=14)).date().isoformat())
    desk.get_by_role("button", name=PUBLISH[language]).click()
    expect(desk.locator("h1")).to_be_visible()
    assert_accessible(desk)
    with app.app_context():
        project = db.session.query(Project).one()
        project_id, target = project.id, project.target
    assert target == 1_000
    _checked(desk, f"/manage/projects/{project_id}/edit", language)

    resident = make_user(language=language, pseudonym="Sunny Otter")
    with app.app_context():
        grant(resident.id, 400)
    page = new_page(locale=BROWSER_LOCALE[language], viewport=NARROW, java_script_enabled=False)
    checker = new_page(locale=BROWSER_LOCALE[language], viewport=NARROW)
    log_in(page, resident, language=language)
    page.goto("/projects")
    assert_accessible_without_script(page, checker)
    page.goto(f"/projects/{project_id}")
    page.locator("#points").fill("250")
    page.locator("#show_name").check()
    page.get_by_role("button", name=PLEDGE[language]).click()
    expect(page.locator(".progress-text").first).to_have_text(PROGRESS[language])
    expect(page.get_by_text("Sunny Otter", exact=True)).to_be_visible()
    assert_accessible_without_script(page, checker)
    with app.app_context():
        assert ledger.balance(resident.id) == 150
    _checked(desk, "/projects", language)
