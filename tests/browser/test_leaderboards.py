"""Leaderboards in Chromium: a challenge's ranking with my place and its history, the season, and the embed.

Every page is checked against WCAG 2.1 A/AA with axe-core; the embed is also put in another site's iframe.
"""

import re
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from accounts.models import User
from app.clock import local_date
from app.extensions import db
from challenges import participation
from challenges.scoring import Category, Format
from leaderboards import services
from leaderboards.models import RankSnapshot
from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible
from tests.challenges import conftest as challenge_fixtures
from tests.leaderboards.conftest import add_field, add_residents

make_challenge = challenge_fixtures.make_challenge  # the challenge tests' builder, usable here too


@pytest.fixture
def city_site():
    """Another origin, as the city's website would be: serves `site.html` (set by the test) on a port of its own."""

    class Site(BaseHTTPRequestHandler):
        html = ""

        def do_GET(self):
            body = Site.html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            """Keep the test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site, f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def neighbourhood_challenge(app, make_challenge, make_user, make_neighbourhood):
    """A running neighbourhood challenge: a ranked neighbourhood, one too small to show, a hidden resident,
    and a logged-in-able resident with two days of recorded places. Returns (challenge id, that resident)."""
    river, lane = make_neighbourhood(name="Riverside").id, make_neighbourhood(name="Mill Lane").id
    me = make_user(pseudonym="Mira", neighbourhood_id=river)
    with app.app_context():
        challenge = make_challenge(
            category=Category.MOBILITY, format=Format.NEIGHBOURHOOD, title="Bike weeks", now=datetime.now(UTC)
        )
        people = add_residents(6, hidden=[False, True, False, False, False, False])
        for person, place in zip(people, [river, river, river, lane, lane, None], strict=True):
            person.neighbourhood_id = place
        add_field(challenge, [*people, db.session.get(User, me.id)], [42.5, 30.0, 30.0, 12.0, 8.0, 3.0, 20.0])
        enrollment = participation.find_enrollment(challenge, db.session.get(User, me.id))
        today = local_date(datetime.now(UTC))
        db.session.add(RankSnapshot(enrollment_id=enrollment.id, day=today - timedelta(days=1), rank=6, score=4.0))
        services.snapshot_ranks()
        db.session.commit()
        return challenge.id, me


def test_the_challenge_leaderboard(page, neighbourhood_challenge):
    """From the challenge page to its leaderboard: my place, my place over time, neighbourhoods, everyone."""
    challenge_id, me = neighbourhood_challenge
    log_in(page, me)
    page.goto(f"/challenges/{challenge_id}")
    page.get_by_role("link", name="See the leaderboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leaderboard: Bike weeks")
    mine = page.get_by_role("region", name="Your place", exact=True)
    expect(mine).to_contain_text("Place 4 of 7")
    expect(mine.get_by_role("row", name=re.compile(r"^4 You"))).to_be_visible()
    expect(page.get_by_role("img", name="Your rank day by day")).to_be_visible()
    expect(page.get_by_role("table", name="Your place and score at the end of each day")).to_contain_text("6")
    expect(page.get_by_role("img", name="Neighbourhoods by score per participating household")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"Mill Lane"))).to_contain_text("Not enough participants yet")
    everyone = page.get_by_role("table", name=re.compile(r"^Participants by score"))
    expect(everyone.get_by_role("row", name=re.compile(r"^2 Hidden participant"))).to_be_visible()
    assert_accessible(page)


def test_the_leaderboard_reflows_at_200_percent_text(app, new_page, neighbourhood_challenge):
    """At 200 % text on a phone-sized screen nothing but the tables' own regions scrolls sideways."""
    challenge_id, me = neighbourhood_challenge
    with app.app_context():
        db.session.get(User, me.id).text_scale = 200
        db.session.commit()
    page = new_page(viewport={"width": 390, "height": 844})
    log_in(page, me)
    page.goto(f"/challenges/{challenge_id}/leaderboard")
    assert_accessible(page)  # with reflow at 320 px and 200 % text


def test_the_season_leaderboard(app, page, make_user):
    """The season page from the main navigation, each time window, and my place in it."""
    me, other = make_user(pseudonym="Mira"), make_user(pseudonym="Jonas")
    with app.app_context():
        today = local_date(datetime.now(UTC))
        services.add_season_points(me.id, today, 40)
        services.add_season_points(other.id, today, 70)
        db.session.commit()
    log_in(page, me)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leaderboards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Season leaderboard")
    expect(page.get_by_role("region", name="Your place", exact=True)).to_contain_text("Place 2 of 2")
    assert_accessible(page)
    page.get_by_role("navigation", name="Time window").get_by_role("link", name="All time").click()
    expect(page.get_by_role("link", name="All time")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("table", name=re.compile(r"^Residents by points"))).to_contain_text("Jonas")
    assert_accessible(page)


def test_the_embed_in_the_city_website(page, live_server, city_site, neighbourhood_challenge):
    """The embed is accessible on its own and shows inside another site's iframe; other pages refuse to."""
    challenge_id, _me = neighbourhood_challenge
    embed = f"{live_server}/embed/challenges/{challenge_id}/neighbourhoods"
    page.goto(embed)
    expect(page.get_by_role("heading", level=1)).to_have_text("Neighbourhood ranking: Bike weeks")
    assert_accessible(page)

    site, address = city_site
    site.html = (
        f'<main><iframe title="Neighbourhoods" src="{embed}"></iframe>'
        f'<iframe title="Leaderboard" src="{live_server}/challenges/{challenge_id}/leaderboard"></iframe></main>'
    )
    page.goto(address)
    shown = page.frame_locator('iframe[title="Neighbourhoods"]')
    expect(shown.get_by_role("heading", level=1)).to_have_text("Neighbourhood ranking: Bike weeks")
    expect(shown.get_by_role("row", name=re.compile(r"^1 Riverside"))).to_be_visible()
    page.wait_for_function(
        "() => { const frame = document.querySelector('iframe[title=\"Leaderboard\"]');"
        " try { return frame.contentDocument === null || frame.contentDocument.URL.startsWith('chrome-error'); }"
        " catch (error) { return true; } }"
    )
    expect(page.frame_locator('iframe[title="Leaderboard"]').get_by_role("heading", level=1)).to_have_count(0)
    assert any(frame.url.startswith("chrome-error://") for frame in page.frames)
