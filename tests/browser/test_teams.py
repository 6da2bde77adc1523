"""The team pages in a real browser, in English and German, at 320 px wide and at 200 % text: a resident founds
a team, a second joins by the invitation code, a manager approves it; every page passes axe and none scrolls
sideways."""

import pytest
from playwright.sync_api import expect

from accounts.models import Role, User
from app.extensions import db
from teams import services
from teams.models import Team
from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible
from tests.browser.test_display import scrolls_sideways

NARROW = {"width": 320, "height": 720}
PHONE = {"width": 390, "height": 844}
BROWSER_LOCALE = {"en": "en-GB", "de": "de-DE"}
FOUND = {"en": "Found the team", "de": "Team gründen"}
JOIN = {"en": "Join the team", "de": "Dem Team beitreten"}


def _checked(page, path: str, language: str) -> None:
    page.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert not scrolls_sideways(page), f"{path} scrolls sideways ({language})"
    assert_accessible(page)


def _big_text(app, user) -> None:
    with app.app_context():
        db.session.get(User, user.id).text_scale = 200
        db.session.commit()


@pytest.mark.parametrize("language", ["en", "de"])
def test_found_join_and_approve_pass_axe_and_reflow(app, new_page, make_user, language):
    """Founding (with a form error first), joining by code, and the managers' pages, at 320 px and at 200 % text."""
    captain = make_user(language=language)
    page = new_page(locale=BROWSER_LOCALE[language], viewport=NARROW)
    log_in(page, captain, language=language)
    _checked(page, "/teams", language)
    _checked(page, "/teams/new", language)
    page.get_by_role("button", name=FOUND[language]).click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.locator("#name").fill("Klasse 5b – Grundschule am Weiherpark")
    page.locator("#description").fill("Wir fahren mit dem Rad zur Schule.")
    page.get_by_role("button", name=FOUND[language]).click()
    expect(page.locator("h1")).to_have_text("Klasse 5b – Grundschule am Weiherpark")
    assert not scrolls_sideways(page)
    assert_accessible(page)
    with app.app_context():
        team = db.session.query(Team).one()
        team_id, code = team.id, team.invite_code

    member = make_user(language=language)
    _big_text(app, member)
    other = new_page(locale=BROWSER_LOCALE[language], viewport=PHONE)
    log_in(other, member, language=language)
    _checked(other, f"/teams/join?code={code}", language)
    other.get_by_role("button", name=JOIN[language]).click()
    expect(other.locator("h1")).to_have_text("Klasse 5b – Grundschule am Weiherpark")
    assert not scrolls_sideways(other)
    assert_accessible(other)

    manager = make_user(role=Role.MANAGER, language=language)
    _big_text(app, manager)
    desk = new_page(locale=BROWSER_LOCALE[language], viewport=PHONE)
    log_in(desk, manager, language=language)
    _checked(desk, "/manage/teams", language)
    _checked(desk, f"/manage/teams/{team_id}", language)
    with app.app_context():
        assert services.member_count(db.session.get(Team, team_id)) == 2
