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
from tests.challenges.conftest import make_challenge  # noqa: F401  (a fixture used here)

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


FOUND_SUB = {"en": "Found the sub-team", "de": "Unterteam gründen"}
SAVE_SETTING = {"en": "Save the setting", "de": "Einstellung speichern"}


def _ranked_city(app, make_user, make_challenge, language):  # noqa: F811
    """A challenge ranking teams; a school (captain and two teachers) with an approved class of three pupils who took
    part; returns the ids and the captain and a pupil."""
    from datetime import time

    from challenges import participation
    from challenges.kinds.trip import submit_trip
    from challenges.models import Challenge
    from challenges.scoring import Category, Mode
    from teams.models import TeamStatus
    from tests.challenges.conftest import NOW

    head = make_user(language=language)
    people = [make_user(language=language) for _ in range(5)]
    with app.app_context():
        challenge = db.session.get(Challenge, make_challenge(category=Category.MOBILITY, ranks_teams=True).id)
        captain = db.session.get(User, head.id)
        school = services.found_team(captain, "Gesamtschule am Weiherpark – Schulgemeinschaft", "school", None, False)
        klasse = services.found_sub_team(captain, school, "Klasse 7b", None, False)
        for team in (school, klasse):
            services.moderate(team, TeamStatus.APPROVED)
        for index, person in enumerate(people):
            user = db.session.get(User, person.id)
            services.join_by_code(user, (klasse if index < 3 else school).invite_code)
            enrollment = participation.join(challenge, user, now=NOW)
            submit_trip(enrollment, NOW.date(), Mode.BIKE, 4.0 + index, True, trip_time=time(7, 0), now=NOW)
        db.session.commit()
        return {"challenge": challenge.id, "school": school.id, "class": klasse.id}, head, people[0]


@pytest.mark.parametrize("language", ["en", "de"])
def test_team_board_sub_teams_and_contributions_pass_axe_and_reflow(
    app,
    new_page,
    make_user,
    make_challenge,  # noqa: F811
    language,
):
    """The team board (per member, by total, a school's classes), founding a sub-team, a member's contribution
    setting and the captain's scores page: axe and no sideways scrolling at 320 px, and at 200 % text."""
    ids, head, pupil = _ranked_city(app, make_user, make_challenge, language)
    visitor = new_page(locale=BROWSER_LOCALE[language], viewport=NARROW)
    board = f"/challenges/{ids['challenge']}/leaderboard/teams"
    _checked(visitor, board, language)
    expect(visitor.locator("#team-table")).to_contain_text("Gesamtschule am Weiherpark")
    _checked(visitor, f"{board}?by=total", language)
    _checked(visitor, f"{board}/{ids['school']}", language)
    expect(visitor.locator("#team-table")).to_contain_text("Klasse 7b")

    member = new_page(locale=BROWSER_LOCALE[language], viewport=PHONE)
    _big_text(app, pupil)
    log_in(member, pupil, language=language)
    _checked(member, f"/teams/{ids['class']}", language)
    member.locator("#shows").check()
    member.get_by_role("button", name=SAVE_SETTING[language]).click()
    expect(member.locator("#shows")).to_be_checked()
    assert_accessible(member)

    captain = new_page(locale=BROWSER_LOCALE[language], viewport=NARROW)
    log_in(captain, head, language=language)
    _checked(captain, f"/teams/{ids['school']}/sub-teams/new", language)
    captain.get_by_role("button", name=FOUND_SUB[language]).click()
    expect(captain.get_by_role("alert")).to_be_visible()
    assert_accessible(captain)
    captain.locator("#name").fill("Klasse 8a")
    captain.get_by_role("button", name=FOUND_SUB[language]).click()
    expect(captain.locator("h1")).to_have_text("Klasse 8a")
    assert_accessible(captain)
    _checked(captain, f"/teams/{ids['school']}", language)
    _checked(captain, f"/teams/{ids['school']}/scores", language)
    expect(captain.locator("table")).to_contain_text(pupil.pseudonym)
