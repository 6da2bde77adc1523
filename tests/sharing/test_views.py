"""The data-sharing pages: the consent grid, receipts, my data, the privacy page, the use log and the catalogue."""

import json
import re
from datetime import date, timedelta
from html import unescape

import pytest
from flask_babel import refresh
from sqlalchemy import select

from accounts.models import Role
from app.columns import utcnow
from app.extensions import db
from rewards.earnings import credit_data_sharing
from sharing import credits, gate, uses
from sharing.models import Consent, CreditRate, DataCategory, EndReason, Level
from tests.conftest import log_in
from tests.pages import Page
from tests.sharing.conftest import category, purpose

STATS = ("energy_readings", "municipal_statistics")


def text_of(response) -> str:
    """The page's text with tags dropped and whitespace collapsed, as a reader sees it."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


@pytest.fixture
def resident(app, make_user, catalogue):
    """A logged-in resident's client, with the default catalogue installed."""
    user = make_user()
    client = app.test_client()
    log_in(client, user)
    client.user = user
    return client


def ids(code_category: str = STATS[0], code_purpose: str = STATS[1]) -> dict:
    return {"category_id": category(code_category).id, "purpose_id": purpose(code_purpose).id}


def share(client, level="neighbourhood", months=6, **codes):
    return client.post("/me/consents", data={**ids(**codes), "level": level, "duration_months": months})


# The consent page -------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    """Every personal page asks for a log-in first."""
    for path in ("/me/consents", "/me/data", "/me/consents/1/receipt", "/me/consents/1/receipt.html", "/data-uses",
                 "/admin/data"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location, path


def test_nothing_is_shared_by_default_and_each_choice_says_what_it_earns(resident):
    """The grid has a row per category and a column per purpose, every cell "Not shared", and the earnings."""
    page = Page(resident.get("/me/consents"))
    assert page.response.status_code == 200
    assert page.heading == "My data sharing"
    headers = [th.attrs["abbr"] for th in page.all("th", scope="col") if "abbr" in th.attrs]
    assert headers == [
        "Municipal statistics",
        "Grid planning",
        "Traffic planning",
        "Research",
        "Personal advice",
        "Challenge scoring",
        "Cycling and walking network planning",
    ]
    rows = [th.attrs["abbr"] for th in page.all("th", scope="row")]
    assert rows == ["Energy meter readings", "Trips", "Household profile", "Meter readings from your utility",
                    "Routes of your uploaded tracks"]  # fmt: skip
    assert text_of(page.response).count("Not shared") == 35
    assert "Used by: Stadtwerke (local utility)" in text_of(page.response)
    assert "Shared outside the city administration" in text_of(page.response)
    base, per_record, cap = credits.DEFAULT_RATES[Level.INDIVIDUAL]
    assert f"earns up to {base + per_record * cap} points a week" in text_of(page.response)
    assert page.options(f"c{ids()['category_id']}-{ids()['purpose_id']}-level") == [
        "individual",
        "neighbourhood",
        "city",
    ]
    assert page.options(f"c{ids()['category_id']}-{ids()['purpose_id']}-duration_months") == ["3", "6", "12"]


def test_sharing_in_one_click_opens_the_gate_at_once(resident):
    """Share → the gate lets the resident's data through at that level, and the cell shows it."""
    response = share(resident, level="neighbourhood", months=6)
    assert response.status_code == 302 and response.location.endswith("/me/consents")
    user_id = resident.user.id
    assert gate.is_allowed(user_id, *STATS, "city")
    assert gate.is_allowed(user_id, *STATS, "neighbourhood")
    assert not gate.is_allowed(user_id, *STATS, "individual")
    page = Page(resident.get("/me/consents"))
    assert page.flashes[0][0] == "success"
    cell_prefix = f"c{ids()['category_id']}-{ids()['purpose_id']}-"
    assert page.value(cell_prefix + "level") == "neighbourhood"
    assert page.value(cell_prefix + "duration_months") == "6"
    assert text_of(page.response).count("Not shared") == 34
    assert "Stop sharing" in text_of(page.response)
    consent = db.session.scalars(select(Consent)).one()
    assert consent.method == "web"


def test_changing_keeps_the_history_and_revoking_closes_the_gate(resident):
    """Change ends the old grant (history kept); Stop sharing revokes at once; both listed with receipts."""
    share(resident, level="city", months=3)
    share(resident, level="individual", months=12)
    first, second = db.session.scalars(select(Consent).order_by(Consent.id)).all()
    db.session.refresh(first)
    assert first.end_reason == EndReason.CHANGED and second.ended_at is None
    assert gate.is_allowed(resident.user.id, *STATS, "individual")

    response = resident.post(f"/me/consents/{second.id}/revoke")
    assert response.status_code == 302
    assert not gate.is_allowed(resident.user.id, *STATS, "city")
    page = Page(resident.get("/me/consents"))
    text = text_of(page.response)
    assert "Stopped by you on" in text and "Replaced by a change on" in text
    assert text.count("Not shared") == 35
    receipt_links = [a.attrs["href"] for a in page.all("a") if a.attrs.get("href", "").endswith("/receipt")]
    assert receipt_links == [f"/me/consents/{second.id}/receipt", f"/me/consents/{first.id}/receipt"]


def test_revoking_twice_says_it_already_ended_and_others_consents_are_404(resident, make_user, give_consent):
    """A second revoke changes nothing and says why; another resident's consent does not exist for me."""
    share(resident)
    consent = db.session.scalars(select(Consent)).one()
    resident.post(f"/me/consents/{consent.id}/revoke")
    page = Page(resident.post(f"/me/consents/{consent.id}/revoke", follow_redirects=True))
    assert ("error", "This consent has already ended.") in page.flashes
    other = give_consent(make_user(), *STATS, "city")
    assert resident.post(f"/me/consents/{other.id}/revoke").status_code == 404
    assert resident.get(f"/me/consents/{other.id}/receipt").status_code == 404
    assert resident.get(f"/me/consents/{other.id}/receipt.html").status_code == 404
    assert gate.is_allowed(other.user_id, *STATS, "city")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"level": "everything"}, "level", "Not a valid choice."),
        ({"duration_months": "7"}, "duration_months", "Not a valid choice."),
        ({"duration_months": "many"}, "duration_months", "Not a valid choice."),
    ],
)
def test_invalid_choices_are_shown_on_the_cell(resident, data, field, message):
    """A tampered level or duration is a 422 with the error under that cell's field; nothing is granted."""
    values = {**ids(), "level": "city", "duration_months": "6", **data}
    response = resident.post("/me/consents", data=values)
    assert response.status_code == 422
    page = Page(response)
    assert message in page.field_error(f"c{values['category_id']}-{values['purpose_id']}-{field}")
    assert db.session.scalar(select(Consent.id)) is None


@pytest.mark.parametrize("data", [{"category_id": "999999"}, {"purpose_id": "abc"}, {"category_id": ""}])
def test_unknown_categories_or_purposes_are_refused_without_a_500(resident, data):
    """Ids not in the grid are a 422 with a message above the grid."""
    response = resident.post("/me/consents", data={**ids(), "level": "city", "duration_months": "6", **data})
    assert response.status_code == 422
    assert Page(response).error_summary
    assert db.session.scalar(select(Consent.id)) is None


def test_inactive_purposes_are_not_offered_and_cannot_be_granted(resident):
    """An admin switched a purpose off: no column for it, and a stale form is refused."""
    research = purpose("research")
    research.active = False
    db.session.commit()
    page = Page(resident.get("/me/consents"))
    assert "Research" not in [th.attrs.get("abbr") for th in page.all("th", scope="col")]
    response = share(resident, code_purpose="research")
    assert response.status_code == 422
    assert "Please choose a purpose from the list." in Page(response).error_summary


# Receipts ---------------------------------------------------------------------------------


def test_receipt_downloads_as_kantara_json(resident):
    """The receipt is a JSON attachment named after its id, with the Kantara v1.1 fields."""
    share(resident, level="individual", months=12, code_purpose="grid_planning")
    consent = db.session.scalars(select(Consent)).one()
    response = resident.get(f"/me/consents/{consent.id}/receipt")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="consent-receipt-{consent.receipt_id}.json"'
    )
    receipt = json.loads(response.get_data(as_text=True))
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["consentReceiptID"] == consent.receipt_id
    assert receipt["collectionMethod"] == "web form"
    assert receipt["policyUrl"] == "http://localhost/privacy"
    assert receipt["withdrawal"].endswith("http://localhost/me/consents")
    assert receipt["piiPrincipalId"] == f"civiquest-resident-{resident.user.id}"
    assert "example.org" not in response.get_data(as_text=True)  # never the email address
    item = receipt["services"][0]["purposes"][0]
    assert item["purposeCategory"] == ["grid_planning"]
    assert item["piiCategory"] == ["Energy meter readings"]
    assert item["aggregationLevel"] == "individual"
    assert item["thirdPartyDisclosure"] is True and item["thirdPartyName"] == "Stadtwerke (local utility)"


def test_receipt_page_lists_the_fields_readably(resident):
    """The HTML receipt names id, controller, purpose, data, level, disclosure and how to withdraw."""
    share(resident, level="city", months=3)
    consent = db.session.scalars(select(Consent)).one()
    text = text_of(resident.get(f"/me/consents/{consent.id}/receipt.html"))
    assert "Town hall" in text and "streetAddress" not in text  # the address object, written as an address
    for expected in (consent.receipt_id, "Receipt ID", "Data controller", "Municipal statistics",
                     "Energy meter readings", "City: Only totals for the whole city", "3 months",
                     "Disclosed to a third party No", "How to withdraw", "Download this receipt (JSON)"):  # fmt: skip
        assert expected in text


def test_privacy_page_is_public_and_explains_the_catalogue(client, catalogue):
    """Anyone can read what data is held, the purposes, levels, receipts and rights."""
    response = client.get("/privacy")
    assert response.status_code == 200
    text = text_of(response)
    for expected in ("What data we hold", "Energy meter readings", "Grid planning", "Stadtwerke (local utility)",
                     "Levels of detail", "Receipts", "Your rights"):  # fmt: skip
        assert expected in text


def test_privacy_page_in_german_uses_the_german_catalogue(client, catalogue):
    """The catalogue's texts come from the database in the reader's language."""
    refresh()  # the test's app context is shared with the client's requests, and so is Babel's cached locale
    text = text_of(client.get("/privacy", headers={"Accept-Language": "de"}))
    assert "Zählerstände (Strom)" in text and "Netzplanung" in text


# My data ----------------------------------------------------------------------------------


def test_my_data_shows_what_is_shared_earnings_per_month_and_uses(resident, make_user):
    """The asset statement: consents in force, total and monthly dividend (chart + table), and the use log."""
    share(resident, level="neighbourhood", months=12)
    consent = db.session.scalars(select(Consent)).one()
    now = utcnow()
    credit_data_sharing(resident.user.id, 12, "Municipal statistics", consent.id, "w1", now=now - timedelta(days=40))
    credit_data_sharing(resident.user.id, 8, "Municipal statistics", consent.id, "w2", now=now)
    stats = purpose("municipal_statistics")
    staff = db.session.merge(make_user(role=Role.STAFF))
    uses.record_use(staff, stats, ["energy_readings"], Level.CITY, {}, [resident.user.id, make_user().id])
    db.session.commit()

    page = Page(resident.get("/me/data"))
    assert page.response.status_code == 200
    text = text_of(page.response)
    assert page.by_id("earned-total").text == "20 points"
    assert "City statistics office" in text and "Neighbourhood" in text
    assert page.by_id("earnings-chart") is not None and page.by_id("earnings-chart").attrs["role"] == "img"
    rows = [row for row in page.by_id("earned-caption").parent.iter() if row.tag == "tr"][1:]
    points = [row.children[1].text for row in rows]
    assert points[0] == "12" and points[-1] == "8" and len(points) in (2, 3)  # 40 days span two or three months
    assert "Your data went into 1 use." in text
    assert "Energy meter readings" in text and "2" in text  # two residents included


def test_my_data_without_anything_shared(resident):
    """A resident sharing nothing sees that plainly, with a way to start."""
    text = text_of(resident.get("/me/data"))
    assert "You share nothing at the moment." in text and "Earned in all 0 points" in text


def test_uses_of_others_stay_hidden_and_the_log_pages(resident, make_user):
    """A resident sees only uses that included them; pages of 20."""
    stats = purpose("municipal_statistics")
    other = make_user()
    for _ in range(21):
        uses.record_use(None, stats, ["trips"], Level.CITY, {}, [resident.user.id])
    uses.record_use(None, stats, ["trips"], Level.CITY, {}, [other.id], description="not mine")
    db.session.commit()
    text = text_of(resident.get("/me/data"))
    assert "Your data went into 21 uses." in text and "Page 1 of 2" in text
    assert "Page 2 of 2" in text_of(resident.get("/me/data?page=2"))


# Staff and admins -------------------------------------------------------------------------


def test_residents_may_not_see_the_log_or_the_catalogue(resident):
    """The use log is for staff, the catalogue for admins."""
    assert resident.get("/data-uses").status_code == 403
    assert resident.get("/admin/data").status_code == 403
    assert resident.post("/admin/data/categories", data={"code": "x"}).status_code == 403


def test_staff_read_the_whole_log_but_not_the_catalogue(staff_client, catalogue, make_user):
    """Staff see every use with who ran it; there is nothing to edit."""
    residents = [make_user().id for _ in range(3)]
    uses.record_use(None, purpose("research"), ["trips"], Level.NEIGHBOURHOOD, {"year": 2026}, residents,
                    excluded_count=4, description="Yearly report")  # fmt: skip
    db.session.commit()
    response = staff_client.get("/data-uses")
    assert response.status_code == 200
    text = text_of(response)
    assert "Yearly report" in text and "scheduler" in text and "University research partner" in text
    assert "<form" not in response.get_data(as_text=True).split("<main", 1)[1]
    assert staff_client.get("/admin/data").status_code == 403


def test_admin_adds_and_edits_catalogue_entries(admin_client, catalogue):
    """A new category with a valid unique code; a purpose edited in both languages."""
    page = Page(admin_client.get("/admin/data"))
    assert page.heading == "Data catalogue"
    response = admin_client.post("/admin/data/categories", data={
        "code": "heating", "name_en": "Heating", "name_de": "Heizung", "description_en": "", "description_de": "",
        "active": "y"})  # fmt: skip
    assert response.status_code == 302
    assert db.session.scalar(select(DataCategory).where(DataCategory.code == "heating")).name_de == "Heizung"

    research = purpose("research")
    form = {"name_en": "Research", "name_de": "Forschung", "explanation_en": "New words.",
            "explanation_de": "Neue Worte.", "organisation_en": "Another university", "active": "y"}  # fmt: skip
    assert admin_client.post(f"/admin/data/purposes/{research.id}", data=form).status_code == 302
    db.session.refresh(research)
    assert research.organisation == "Another university" and research.third_party is False
    assert research.code == "research"


def test_rewording_a_purpose_warns_first_then_ends_its_consents(admin_client, give_consent, make_user):
    """The edit page says how many consents a new wording would end; saving one ends them and says so."""
    resident = make_user()
    consent = give_consent(resident, "trips", "research", "city", now=utcnow() - timedelta(days=1))
    research = purpose("research")
    page = admin_client.get(f"/admin/data/purposes/{research.id}")
    assert "1 consent is in force for this entry." in Page(page).by_id("consents-in-force").text
    form = {"name_en": research.name_en, "name_de": research.name_de, "explanation_en": research.explanation_en,
            "explanation_de": research.explanation_de, "organisation_en": research.organisation_en,
            **({"third_party": "y"} if research.third_party else {})}  # fmt: skip
    response = admin_client.post(f"/admin/data/purposes/{research.id}", data=form, follow_redirects=True)
    assert "Its wording changed" not in text_of(response)  # switched off, same words: nothing ends
    db.session.refresh(consent)
    assert consent.ended_at is None
    reworded = {**form, "explanation_en": "Shared with any university that asks.", "active": "y"}
    response = admin_client.post(f"/admin/data/purposes/{research.id}", data=reworded, follow_redirects=True)
    assert "Its wording changed, so 1 consent ended; the resident was told." in text_of(response)
    db.session.refresh(consent)
    assert consent.end_reason == EndReason.PURPOSE_CHANGED
    assert "consents-in-force" not in admin_client.get(f"/admin/data/purposes/{research.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("code", "message"),
    [("Heating", "Use lowercase letters and _ only."), ("trips", "This code is already taken."),
     ("", "This field is required.")],
)  # fmt: skip
def test_catalogue_codes_are_checked(admin_client, catalogue, code, message):
    """Codes are lowercase letters and underscores, and unique."""
    response = admin_client.post("/admin/data/categories", data={"code": code, "name_en": "A", "name_de": "B"})
    assert response.status_code == 422
    assert message in Page(response).field_error("category-code")


def test_admin_sets_a_rate_from_a_coming_monday(admin_client, catalogue):
    """A rate from next Monday is saved and listed; a past or non-Monday date is an error on the form."""
    today = date.today()
    monday = today + timedelta(days=7 - today.weekday() + 7)
    data = {"level": "city", "effective_from": monday.isoformat(), "base_points": "7", "points_per_record": "1",
            "max_records": "3"}  # fmt: skip
    assert admin_client.post("/admin/data/rates", data=data).status_code == 302
    assert credits.rate_for(Level.CITY, monday) == (7, 1, 3)
    assert "Coming changes" in text_of(admin_client.get("/admin/data"))

    response = admin_client.post(
        "/admin/data/rates", data={**data, "effective_from": (monday + timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 422
    assert "Rates can only change from a coming Monday on." in Page(response).field_error("rate-effective_from")
    response = admin_client.post("/admin/data/rates", data={**data, "base_points": "-1"})
    assert response.status_code == 422 and Page(response).field_error("rate-base_points")
    assert db.session.scalar(select(CreditRate.id).where(CreditRate.base_points < 0)) is None


def test_every_page_renders_in_german(app, make_user, catalogue, give_consent):
    """With German chosen, the pages render with the catalogue's German texts and no error."""
    admin = make_user(role=Role.ADMIN, language="de")
    consent = give_consent(admin, *STATS, "individual")
    client = app.test_client()
    log_in(client, admin)
    german = {"Accept-Language": "de"}
    for path in ("/me/consents", "/me/data", f"/me/consents/{consent.id}/receipt.html", "/privacy", "/data-uses",
                 "/admin/data", f"/admin/data/categories/{consent.category_id}",
                 f"/admin/data/purposes/{consent.purpose_id}"):  # fmt: skip
        refresh()  # the test's app context is shared with the client's requests, and so is Babel's cached locale
        response = client.get(path, headers=german)
        assert response.status_code == 200, path
        assert Page(response).lang == "de", path
    refresh()
    assert "Städtische Statistik" in text_of(client.get("/me/consents", headers=german))
