"""The resident's meter page: link with field errors for bad or taken numbers, see the consent it needs and the
days delivered (in the reader's number format), unlink."""

from datetime import date

from flask import g

from app.extensions import db
from connectors import services
from connectors.models import MeterDay


def test_linking_shows_field_errors_then_the_link_and_the_consent_it_needs(resident_client, make_user, link,
                                                                          catalogue):  # fmt: skip
    """Blank, malformed and taken numbers are form errors on the page (422); a good one links the meter."""
    link(make_user(), "1ESY11600009")
    page = resident_client.get("/me/meter")
    assert page.status_code == 200 and "No meter is linked to your account." in page.get_data(as_text=True)
    blank = resident_client.post("/me/meter", data={"meter_number": "", "customer_number": ""})
    text = blank.get_data(as_text=True)
    assert blank.status_code == 422 and 'href="#meter_number"' in text and 'href="#customer_number"' in text
    assert "Enter the meter number printed on your electricity meter." in text
    bad = resident_client.post("/me/meter", data={"meter_number": "<b>!", "customer_number": "K"})
    assert bad.status_code == 422 and "4 to 32 letters and digits" in bad.get_data(as_text=True)
    assert "<b>!" not in bad.get_data(as_text=True)  # escaped, never markup
    taken = resident_client.post("/me/meter", data={"meter_number": "1esy 1160 0009", "customer_number": "K-7"})
    assert taken.status_code == 422 and "already linked to another account" in taken.get_data(as_text=True)
    done = resident_client.post("/me/meter", data={"meter_number": "1 ESY 1160 0010", "customer_number": "K-8"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/me/meter")
    text = resident_client.get("/me/meter").get_data(as_text=True)
    assert "1ESY11600010" in text and "dropped unread until you consent" in text
    assert "/me/consents#consent-meter_readings-challenge_scoring" in text
    grid = resident_client.get("/me/consents").get_data(as_text=True)
    assert 'id="consent-meter_readings-challenge_scoring"' in grid


def test_delivered_days_in_german_and_unlinking(app, make_user, give_consent, catalogue):
    """A German reader sees 10.018,5 kWh; unlinking removes the link and the next delivery is refused."""
    from tests.conftest import log_in

    resident = make_user(language="de")
    resident_client = app.test_client()
    log_in(resident_client, resident)
    services.link_meter(db.session.merge(resident), "1ESY11600011", "K-9")
    db.session.add(MeterDay(user_id=resident.id, meter_number="1ESY11600011", day=date(2026, 12, 1),
                            read_at=services.utcnow(), register_kwh=10018.5, consumed_kwh=7.25))  # fmt: skip
    db.session.commit()
    give_consent(resident, "meter_readings", "challenge_scoring", "individual")
    # Requests inside the test's app context share its `g`: forget the user and the locale the log-in left there.
    for name in list(g):
        g.pop(name)
    text = resident_client.get("/me/meter").get_data(as_text=True)
    assert "10.018,5" in text and "7,25" in text, text[text.find("<main") :][:3000]
    assert "1ESY11600011" in text and 'lang="de"' in text
    gone = resident_client.post("/me/meter/unlink")
    assert gone.status_code == 302
    db.session.expire_all()
    assert services.meter_of(db.session.merge(resident)) is None


def test_the_profile_links_to_the_meter_page(resident_client):
    assert 'href="/me/meter"' in resident_client.get("/profile").get_data(as_text=True)


def test_the_privacy_notice_lists_the_meter_readings_category(client, catalogue):
    """The notice's processing list is drawn from the catalogue: the utility's meter readings are on it."""
    text = client.get("/privacy-notice").get_data(as_text=True)
    assert "Meter readings from your utility" in text and "never the 15-minute profile" in text
