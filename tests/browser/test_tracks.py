"""Track upload and the planners' route grid in Chromium: the upload works without JavaScript, its result and its
form errors, and the grid's map and table pass axe and reflow (320 px, 200 % text) in English and German."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from accounts.models import Role, User
from app.columns import utcnow
from app.extensions import db
from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible
from tests.tracks.conftest import catalogue, give_consent, gpx_bytes, make_challenge, mobility, north, yesterday_at  # noqa: F401
from tracks import services

UPLOAD = {
    "en": ("Upload GPS tracks", "Upload and check", "What happened to each track", "By bike"),
    "de": ("GPS-Tracks hochladen", "Hochladen und prüfen", "Was mit jedem Track geschah", "Mit dem Rad"),
}
GRID = {"en": ("Route grid", "Map of the route grid"), "de": ("Streckenraster", "Karte des Streckenrasters")}


def _speaks(app, user, language: str) -> None:
    with app.app_context():
        account = db.session.get(User, user.id)
        account.language = language
        db.session.commit()


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_resident_uploads_a_gpx_file_and_sees_each_trip(app, ctx, page, mobility, tmp_path, language):  # noqa: F811
    heading, button, result, mode = UPLOAD[language]
    anna = mobility()
    log_in(page, anna)
    _speaks(app, anna, language)
    page.goto("/me/tracks")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    empty = tmp_path / "empty.gpx"
    empty.write_bytes(b"")
    page.locator("input[type=file]").set_input_files(str(empty))
    page.get_by_role("button", name=button).click()
    expect(page.locator(".form-error-summary")).to_be_visible()
    assert_accessible(page)
    ride = tmp_path / "ride.gpx"
    ride.write_bytes(gpx_bytes(north(5.0, 20, yesterday_at(8)), north(2.0, 10, yesterday_at(17))))
    page.locator("input[type=file]").set_input_files(str(ride))
    page.locator("select#mode").select_option(label=mode)
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", name=result)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("2")
    assert_accessible(page)


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_planner_sees_the_map_and_the_table(app, ctx, page, mobility, give_consent, make_user,  # noqa: F811
                                              language):  # fmt: skip
    heading, map_name = GRID[language]
    for _ in range(5):
        rider = mobility()
        give_consent(rider, "routes", "network_planning", "city", now=utcnow() - timedelta(days=9))
        services.upload(db.session.merge(rider), gpx_bytes(north(5.0, 20, yesterday_at(8))), "bike", False)
        db.session.commit()
    planner = make_user(role=Role.STAFF)
    log_in(page, planner)
    _speaks(app, planner, language)
    page.goto("/tracks/grid")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("img", name=map_name)).to_be_visible()
    assert page.locator("polygon.route-cell").count() > 5
    assert_accessible(page)
