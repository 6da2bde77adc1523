"""The city impact board in Chromium: the page and the embed pass axe and reflow at 200 % text, 320 px wide,
in English and German."""

import re
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from accounts.models import User
from app.extensions import db
from challenges import participation
from challenges.kinds.trip import submit_trip
from challenges.scoring import Mode
from tests.browser.actions import log_in
from tests.browser.axe import assert_accessible
from tests.browser.test_display import scrolls_sideways
from tests.stats.conftest import DAY, NOW, catalogue, city, give_consent, make_challenge  # noqa: F401

HEADINGS = {"en": "Our city's impact", "de": "Was unsere Stadt bewirkt"}


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_impact_board_and_embed_reflow_and_pass_axe(app, new_page, city, make_user, give_consent,  # noqa: F811
                                                        monkeypatch, language):  # fmt: skip
    """With a ranked neighbourhood (so the chart is drawn), both pages fit 320 px at 200 % text and pass axe."""
    monkeypatch.setitem(app.config, "STATS_MIN_RESIDENTS", 5)
    for number in range(6):  # enough residents that North is shown and its noisy head count stays positive
        resident = make_user(neighbourhood_id=city["north"].id)
        enrollment = participation.join(city["challenge"], db.session.merge(resident), now=NOW)
        submit_trip(enrollment, DAY, Mode.BIKE, 4.0 + number, True, trip_time=time(7, number), now=NOW)
        db.session.commit()
        give_consent(resident, "trips", "municipal_statistics", "neighbourhood", now=NOW - timedelta(days=30))
    reader = city["b1"]
    page = new_page(viewport={"width": 320, "height": 800})
    log_in(page, reader)
    with app.app_context():  # after logging in, whose helper reads the English header
        account = db.session.get(User, reader.id)
        account.text_scale, account.language = 200, language
        db.session.commit()
    for path in ("/impact", f"/embed/impact?lang={language}"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(HEADINGS[language])
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("html")).to_have_class(re.compile(r"\bts-200\b"))
        assert page.locator("svg.chart").count() == 1
        assert not scrolls_sideways(page), f"{path} scrolls sideways at 320 px, 200 % text"
        assert_accessible(page)
