"""The leaderboard pages: a challenge's ranking and my place, the season windows, and the public embed."""

import re
from datetime import UTC, datetime
from html import unescape

import pytest

from accounts.models import Role, User
from app.clock import local_date
from app.extensions import db
from challenges import participation, totals
from challenges.models import Challenge
from challenges.scoring import Category, Format
from leaderboards import services
from tests.conftest import log_in
from tests.leaderboards.conftest import add_field, add_residents


def text_of(response) -> str:
    """The page's text with tags dropped and whitespace collapsed, as a reader sees it."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


@pytest.fixture
def city(app, make_challenge, make_user, make_neighbourhood):
    """A running challenge around the real clock with a field of residents; returns a dict of ids and people."""

    def build(scores, format=Format.INDIVIDUAL, hidden=(), publish=True, neighbourhoods=None):
        with app.app_context():
            challenge = make_challenge(
                category=Category.MOBILITY, format=format, publish=publish, now=datetime.now(UTC)
            )
            people = add_residents(len(scores), hidden=[index in hidden for index in range(len(scores))])
            for person, place in zip(people, neighbourhoods or [], strict=False):
                person.neighbourhood_id = place
            add_field(challenge, people, scores)
            db.session.commit()
            return {"id": challenge.id, "pseudonyms": [person.pseudonym for person in people]}

    return build


def join(app, challenge_id: int, user, score: float = 0.0) -> None:
    """Join for real, as the pages would, and set the score."""
    with app.app_context():
        enrollment = participation.join(db.session.get(Challenge, challenge_id), db.session.get(User, user.id))
        totals.add_units(enrollment, score, 0)
        db.session.commit()


def test_a_visitor_sees_the_ranking_page_by_page(client, city):
    """Fifty to a page, ties sharing a place, the tie rule explained, hidden residents nameless, never an email."""
    scores = [float(100 - n) for n in range(57)] + [43.0, 43.0, 43.0]  # 60 people, three tied at the end
    field = city(scores, hidden={1})
    first = client.get(f"/challenges/{field['id']}/leaderboard")
    page = text_of(first)
    assert first.status_code == 200
    assert "share a place, and the places they fill are skipped after them (1, 2, 2, 4)" in page
    assert "60 participants" in page and "Page 1 of 2" in page and "Hidden participant" in page
    assert not re.search(rf"\b{field['pseudonyms'][1]}\b", page) and "@example.org" not in page
    assert page.count("Runner ") == 49
    assert f"1 {field['pseudonyms'][0]} 100" in page
    second = text_of(client.get(f"/challenges/{field['id']}/leaderboard?page=2"))
    assert "51 " + field["pseudonyms"][50] in second and "Page 2 of 2" in second
    assert second.count(" 58 Runner ") == 3 and "43" in second
    assert "There is no such page." in text_of(client.get(f"/challenges/{field['id']}/leaderboard?page=9"))
    assert client.get(f"/challenges/{field['id']}/leaderboard?page=x").status_code == 200


def test_a_participant_sees_their_place_neighbours_and_history(app, client, city, make_user):
    """Logged in and taking part: place of the field, top share, the two above and below, and the daily record."""
    field = city([9.0, 7.0, 5.0, 3.0, 1.0])
    me = make_user(pseudonym="Mira")
    join(app, field["id"], me, 4.0)
    with app.app_context():
        services.snapshot_ranks()
        db.session.commit()
    log_in(client, me)
    page = text_of(client.get(f"/challenges/{field['id']}/leaderboard"))
    assert "Your place Place 4 of 6 top 67 % Your score: 4 km. You are ahead of 33.3 % of participants." in page
    above, below = field["pseudonyms"][1:3], field["pseudonyms"][3:5]
    assert f"2 {above[0]} 7 3 {above[1]} 5 4 You 4 5 {below[0]} 3 6 {below[1]} 1" in page
    assert "Your place over time" in page and "Over 1 day your rank went from 4 to 4 (best: 4)." in page


def test_someone_not_taking_part_is_told_how_to_join(app, client, city, make_user):
    """A logged-in resident without a place gets the way to take part instead of a box."""
    field = city([1.0])
    log_in(client, make_user())
    page = text_of(client.get(f"/challenges/{field['id']}/leaderboard"))
    assert "You do not take part in this challenge, so you have no place." in page and "Your place" not in page


def test_neighbourhood_challenges_show_the_neighbourhood_ranking(app, client, city, make_neighbourhood):
    """Per household, with a chart, its table and a link to the embed; fewer than 3 participants stay unscored."""
    big, small = make_neighbourhood(name="Big Town").id, make_neighbourhood(name="Tiny Lane").id
    field = city([10.0, 20.0, 30.0, 500.0, 700.0], format=Format.NEIGHBOURHOOD, neighbourhoods=[big] * 3 + [small] * 2)
    response = client.get(f"/challenges/{field['id']}/leaderboard")
    page = text_of(response)
    assert "Big Town leads with 20 km per participating household; 1 neighbourhood is ranked." in page
    assert "1 more has fewer than 3 participants and is not ranked." in page
    assert "1 Big Town 20 3" in page and "– Tiny Lane Not enough participants yet" in page
    # Tiny Lane's 600 per household stays unshown (pseudonyms are numbered by a run-wide counter: leave them out).
    assert "600" not in re.sub(r"Runner \d+", "", page)
    assert 'role="img"' in response.get_data(as_text=True) and "for other websites to embed" in page
    individual = city([1.0])
    assert "Neighbourhoods" not in text_of(client.get(f"/challenges/{individual['id']}/leaderboard"))


def test_the_leaderboard_is_linked_from_the_challenge_the_personal_page_and_the_nav(app, client, city, make_user):
    """The challenge page and the personal page link to it; the main navigation has Leaderboards."""
    field = city([1.0])
    me = make_user()
    join(app, field["id"], me)
    log_in(client, me)
    link = f'href="/challenges/{field["id"]}/leaderboard"'
    assert link in client.get(f"/challenges/{field['id']}").get_data(as_text=True)
    assert link in client.get(f"/challenges/{field['id']}/me").get_data(as_text=True)
    season = client.get("/leaderboards/season").get_data(as_text=True)
    assert '<a href="/leaderboards/season" aria-current="page">Leaderboards</a>' in season
    assert client.get("/leaderboards").headers["Location"].endswith("/leaderboards/season")


def test_drafts_have_no_leaderboard_page_for_residents(client, city, make_user, login):
    """A draft's leaderboard is a 404 for visitors and residents; managers see it."""
    draft = city([1.0], publish=False)
    assert client.get(f"/challenges/{draft['id']}/leaderboard").status_code == 404
    login(client, make_user())
    assert client.get(f"/challenges/{draft['id']}/leaderboard").status_code == 404
    manager = make_user(role=Role.MANAGER)
    client.post("/logout")
    login(client, manager)
    assert client.get(f"/challenges/{draft['id']}/leaderboard").status_code == 200


def test_the_season_page_has_three_windows_and_my_place(app, client, make_user):
    """This week, this month, all time; an unknown window falls back to this week; my place when I have points."""
    me, other = make_user(pseudonym="Mira"), make_user(pseudonym="Jonas")
    with app.app_context():
        today = local_date(datetime.now(UTC))
        services.add_season_points(me.id, today, 30)
        services.add_season_points(other.id, today, 50)
        db.session.commit()
    for window, heading in (("week", "This week"), ("month", "This month"), ("all", "All time"), ("year", "This week")):
        page = text_of(client.get(f"/leaderboards/season?window={window}"))
        assert f"{heading} " in page and "1 Jonas 50 2 Mira 30" in page and "2 residents have points." in page
    log_in(client, me)
    page = text_of(client.get("/leaderboards/season?window=month"))
    assert "Place 2 of 2" in page and "You have 30 points." in page and "1 Jonas 50 2 You 30" in page


# The embed ------------------------------------------------------------------------------------


def test_the_embed_is_public_cacheable_and_may_be_framed(client, city, make_neighbourhood):
    """No log-in, nothing personal; public for 60 s with an ETag (304 when unchanged); framing allowed only here."""
    place = make_neighbourhood(name="Old Town").id
    field = city([1.0, 2.0, 3.0], format=Format.NEIGHBOURHOOD, neighbourhoods=[place] * 3)
    response = client.get(f"/embed/challenges/{field['id']}/neighbourhoods")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] in ("public, max-age=60", "max-age=60, public")
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    html = response.get_data(as_text=True)
    assert "<nav" not in html and "<form" not in html and not any(name in html for name in field["pseudonyms"])
    again = client.get(
        f"/embed/challenges/{field['id']}/neighbourhoods", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304 and again.get_data() == b""
    page = client.get(f"/challenges/{field['id']}/leaderboard")
    assert (
        page.headers["X-Frame-Options"] == "DENY"
        and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    )


def test_the_embed_follows_the_configured_ancestors_and_language(app, client, city, monkeypatch):
    """EMBED_FRAME_ANCESTORS names who may frame it; `?lang=de` serves it in German."""
    field = city([1.0], format=Format.NEIGHBOURHOOD)
    monkeypatch.setitem(app.config, "EMBED_FRAME_ANCESTORS", "https://www.city.example")
    response = client.get(f"/embed/challenges/{field['id']}/neighbourhoods?lang=de")
    assert "frame-ancestors https://www.city.example;" in response.headers["Content-Security-Policy"] + ";"
    assert '<html lang="de"' in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]


def test_no_embed_for_individual_challenges_or_drafts(client, city):
    """Only published neighbourhood challenges have an embed; the 404 page refuses to be framed."""
    for field in (city([1.0]), city([1.0], format=Format.NEIGHBOURHOOD, publish=False)):
        response = client.get(f"/embed/challenges/{field['id']}/neighbourhoods")
        assert response.status_code == 404 and response.headers["X-Frame-Options"] == "DENY"
    assert client.get("/embed/challenges/999999/neighbourhoods").status_code == 404
