"""Badge pages: the public Open Badges 2.0 documents, my badges, and the admins' badge pages."""

import hashlib
import io
import json
import re
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from accounts.models import User
from app.extensions import db
from rewards.badges import services
from rewards.badges.defaults import FIRST_STEP_SVG, TOP_10_SVG
from rewards.models import BadgeAward, BadgeClass, BadgeRule
from tests.pages import Page
from tests.rewards.badges.test_services import SVG

ISSUER_EMAIL = "badges@city.example"


@pytest.fixture
def issuer_email(app, monkeypatch):
    """Open Badges requires an issuer email; the test config has none, so give it one."""
    monkeypatch.setitem(app.config, "BADGE_ISSUER_EMAIL", ISSUER_EMAIL)


def create_badge(app, rule=BadgeRule.FIRST_SUBMISSION, **fields) -> int:
    values = {"name": "First Step", "description": "Sent a first reading.", "criteria": "Send a reading.",
              "image_svg": FIRST_STEP_SVG, "rule": rule, **fields}  # fmt: skip
    with app.app_context():
        badge = services.create_badge(**values)
        db.session.commit()
        return badge.id


def give(app, user, rule=BadgeRule.FIRST_SUBMISSION, evidence=None) -> str:
    """Award the resident the badge of `rule`; returns the award's uid."""
    with app.app_context():
        (item,) = services.award(user.id, rule, evidence)
        db.session.commit()
        return item.uid


def stored_award(app, uid: str) -> BadgeAward:
    with app.app_context():
        item = db.session.scalar(select(BadgeAward).where(BadgeAward.uid == uid))
        db.session.expunge(item)
        return item


def fetch(client, url: str, status: int = 200, **kwargs):
    """GET an absolute document URL through the test client, as a backpack would follow it."""
    response = client.get(urlsplit(url).path, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    return response


def document(response) -> dict:
    return json.loads(response.get_data(as_text=True))


def is_iso_datetime(value) -> bool:
    return isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None


# Open Badges 2.0 hosted verification --------------------------------------------------------


@pytest.mark.usefixtures("issuer_email")
def test_assertion_badge_class_and_issuer_link_up_as_open_badges_2(app, client, make_user):
    """Assertion → BadgeClass → issuer Profile, each JSON-LD at its id with the required fields and types."""
    resident = make_user(email="lena@example.org")
    badge_id = create_badge(app)
    uid = give(app, resident)

    assertion = fetch(client, f"http://localhost/badges/assertions/{uid}")
    assert assertion.mimetype == "application/ld+json"
    assert assertion.headers["Cache-Control"] == "public, max-age=60"
    data = document(assertion)
    assert data["@context"] == "https://w3id.org/openbadges/v2"
    assert data["type"] == "Assertion"
    assert data["id"] == f"http://localhost/badges/assertions/{uid}"
    recipient = data["recipient"]
    assert recipient["type"] == "email" and recipient["hashed"] is True
    assert isinstance(recipient["salt"], str) and recipient["salt"]
    digest = hashlib.sha256(("lena@example.org" + recipient["salt"]).encode()).hexdigest()
    assert recipient["identity"] == f"sha256${digest}"
    assert "lena@example.org" not in assertion.get_data(as_text=True)
    assert data["verification"] == {"type": "hosted"}
    assert is_iso_datetime(data["issuedOn"])
    assert data["badge"] == f"http://localhost/badges/classes/{badge_id}"

    badge_class = document(fetch(client, data["badge"]))
    assert badge_class["@context"] == "https://w3id.org/openbadges/v2"
    assert badge_class["type"] == "BadgeClass" and badge_class["id"] == data["badge"]
    assert (badge_class["name"], badge_class["description"]) == ("First Step", "Sent a first reading.")
    assert badge_class["criteria"]["narrative"] == "Send a reading."
    image = fetch(client, badge_class["image"])
    assert image.mimetype == "image/svg+xml" and image.get_data(as_text=True) == FIRST_STEP_SVG
    criteria_page = Page(fetch(client, badge_class["criteria"]["id"]))
    assert "Send a reading." in criteria_page.html and criteria_page.response.mimetype == "text/html"

    issuer = document(fetch(client, badge_class["issuer"]))
    assert issuer["@context"] == "https://w3id.org/openbadges/v2"
    assert issuer["type"] in ("Issuer", "Profile") and issuer["id"] == badge_class["issuer"]
    assert issuer["name"] == app.config["BADGE_ISSUER_NAME"]
    assert issuer["url"] == "http://localhost/" and issuer["email"] == ISSUER_EMAIL
    # Verifiers accept an assertion hosted on the issuer id's origin by default.
    assert urlsplit(issuer["id"]).netloc == urlsplit(data["id"]).netloc


def test_documents_answer_plain_json_to_clients_asking_for_it(app, client, make_user):
    """Older backpacks ask for application/json and get it; a generic Accept gets JSON-LD."""
    badge_id = create_badge(app)
    plain = client.get(f"/badges/classes/{badge_id}", headers={"Accept": "application/json"})
    assert plain.mimetype == "application/json" and plain.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/badges/issuer", headers={"Accept": "*/*"}).mimetype == "application/ld+json"
    assert "Accept" in plain.headers["Vary"]


def test_issuer_url_comes_from_the_config(app, client, monkeypatch):
    """BADGE_ISSUER_URL and BADGE_ISSUER_NAME name the city; the issuer id stays on this site."""
    monkeypatch.setitem(app.config, "BADGE_ISSUER_URL", "https://www.city.example")
    monkeypatch.setitem(app.config, "BADGE_ISSUER_NAME", "City of Example")
    issuer = document(client.get("/badges/issuer"))
    assert (issuer["url"], issuer["name"]) == ("https://www.city.example", "City of Example")
    assert issuer["id"] == "http://localhost/badges/issuer"


def test_evidence_links_to_the_challenge(app, client, make_user):
    """An award earned in a challenge links to that challenge's page as evidence."""
    badge_id = create_badge(app)
    uid = give(app, make_user(), evidence={"challenge_id": 42})
    data = document(client.get(f"/badges/assertions/{uid}"))
    assert data["evidence"] == "http://localhost/challenges/42"
    assert badge_id


def test_private_award_is_revoked_with_410_and_public_again_200(app, make_user, login):
    """Making a badge private turns its assertion into 410 Gone with `revoked`; public again, it verifies."""
    resident = make_user()
    create_badge(app)
    uid = give(app, resident)
    owner = app.test_client()
    login(owner, resident)
    public = app.test_client()

    response = owner.post(f"/me/badges/{uid}/privacy", data={"private": "1"})
    assert response.status_code == 302 and response.location.endswith(f"/me/badges#award-{uid}")
    gone = fetch(public, f"/badges/assertions/{uid}", 410)
    assert gone.mimetype == "application/ld+json"
    data = document(gone)
    assert data["revoked"] is True and data["id"] == f"http://localhost/badges/assertions/{uid}"
    assert "recipient" not in data and "badge" not in data

    owner.post(f"/me/badges/{uid}/privacy", data={"private": "0"})
    assert document(fetch(public, f"/badges/assertions/{uid}"))["type"] == "Assertion"


def test_unknown_assertion_and_badge_are_404(app, client):
    """An unknown uid answers a JSON 404; an unknown badge class, image or criteria page 404 too."""
    response = client.get("/badges/assertions/" + "0" * 32)
    assert response.status_code == 404 and response.mimetype == "application/ld+json"
    assert document(response)["code"] == 404
    for path in ("/badges/classes/999", "/badges/classes/999/image.svg", "/badges/classes/999/criteria"):
        assert client.get(path).status_code == 404


def test_assertion_of_a_resident_without_email_is_404(app, client, make_user):
    """No email, no recipient identity: Open Badges 2.0 cannot express the award, so it is not found."""
    resident = make_user()
    create_badge(app)
    uid = give(app, resident)
    with app.app_context():
        db.session.get(User, resident.id).email = None
        db.session.commit()
    response = client.get(f"/badges/assertions/{uid}")
    assert response.status_code == 404
    assert "email" in document(response)["message"]


def test_badge_image_cannot_run_anything(app, client):
    """The SVG comes with a policy that forbids scripts and loading anything, and sandboxes it."""
    badge_id = create_badge(app)
    response = client.get(f"/badges/classes/{badge_id}/image.svg")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "script-src" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_documents_need_no_log_in(app, client, make_user):
    """Every public document answers an anonymous visitor without a redirect."""
    badge_id = create_badge(app)
    uid = give(app, make_user())
    for path in ("/badges/issuer", f"/badges/classes/{badge_id}", f"/badges/classes/{badge_id}/image.svg",
                 f"/badges/classes/{badge_id}/criteria", f"/badges/assertions/{uid}"):  # fmt: skip
        assert client.get(path).status_code == 200, path


# My badges -------------------------------------------------------------------------------


def test_my_badges_needs_log_in(client):
    """Anonymous visitors are sent to log in."""
    response = client.get("/me/badges")
    assert response.status_code == 302 and "/login" in response.location


def test_my_badges_show_earned_and_unearned(app, make_user, login):
    """Earned badges show image, name, description, date, status and the address to copy; others their criteria."""
    resident = make_user()
    badge_id = create_badge(app)
    create_badge(app, BadgeRule.TOP_10, name="Top 10", description="Among the best.",
                 criteria="Finish in places 1 to 10.", image_svg=TOP_10_SVG)  # fmt: skip
    uid = give(app, resident)
    client = app.test_client()
    login(client, resident)

    page = Page(client.get("/me/badges"))
    assert page.response.status_code == 200
    card = page.by_id(f"award-{uid}")
    assert "First Step" in card.text and "Sent a first reading." in card.text and "Earned on" in card.text
    assert "Public" in card.text
    assert any(img.attrs["src"] == f"/badges/classes/{badge_id}/image.svg" for img in card.iter() if img.tag == "img")
    assert page.value(f"url-{uid}") == f"http://localhost/badges/assertions/{uid}"
    assert "Add to your backpack" in page.html
    assert "Make private" in card.text
    unearned = page.by_id("unearned-title").parent
    assert "Top 10" in unearned.text and "Finish in places 1 to 10." in unearned.text
    assert "First Step" not in unearned.text

    client.post(f"/me/badges/{uid}/privacy", data={"private": "1"})
    page = Page(client.get("/me/badges"))
    card = page.by_id(f"award-{uid}")
    assert "Private" in card.text and "Make public" in card.text
    assert page.by_id(f"url-{uid}") is None
    assert stored_award(app, uid).private


def test_my_badges_without_email_explain_and_link_to_profile(app, make_user, login):
    """Without an email the page says backpacks need one and links to the profile; no address is offered."""
    resident = make_user()
    create_badge(app)
    uid = give(app, resident)
    client = app.test_client()
    login(client, resident)
    with app.app_context():
        db.session.get(User, resident.id).email = None
        db.session.commit()
    page = Page(client.get("/me/badges"))
    assert "can only be taken to a backpack with an email address" in page.html
    assert page.all("a", href="/profile")
    assert page.by_id(f"url-{uid}") is None


def test_cannot_change_someone_elses_badge(app, make_user, login):
    """Another resident's award is not found; a bad value is refused; neither changes anything."""
    owner, other = make_user(), make_user()
    create_badge(app)
    uid = give(app, owner)
    client = app.test_client()
    login(client, other)
    assert client.post(f"/me/badges/{uid}/privacy", data={"private": "1"}).status_code == 404
    login(client, owner)
    assert client.post(f"/me/badges/{uid}/privacy", data={"private": "maybe"}).status_code == 400
    assert not stored_award(app, uid).private


# Admin -----------------------------------------------------------------------------------


def badge_form(**fields) -> dict:
    return {"name_en": "Night Owl", "description_en": "Saved energy at night.", "criteria_en": "Save at night.",
            "rule": "", "image_svg": SVG, "active": "y", **fields}  # fmt: skip


def stored_badges(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(select(BadgeClass).order_by(BadgeClass.id))
        return [(b.name, b.rule, b.active, b.image_svg) for b in rows]


@pytest.mark.parametrize("path", ["/admin/badges", "/admin/badges/new", "/admin/badges/1/edit"])
def test_residents_and_managers_cannot_reach_badge_admin(app, resident_client, manager_client, client, path):
    """Badge definitions are for admins: others get 403, anonymous visitors the log-in page."""
    create_badge(app)
    assert resident_client.get(path).status_code == 403
    assert manager_client.get(path).status_code == 403
    if path != "/admin/badges":
        assert manager_client.post(path, data=badge_form(name_en="Sneaky")).status_code == 403
    assert client.get(path).status_code == 302
    assert len(stored_badges(app)) == 1


def test_admin_list_shows_badges_with_rule_status_and_holders(app, admin_client, make_user):
    """The list shows each badge's name, rule, status and how many residents hold it."""
    create_badge(app)
    create_badge(app, None, name="Special Guest", active=False)
    give(app, make_user())
    give(app, make_user())
    page = Page(admin_client.get("/admin/badges"))
    assert page.response.status_code == 200
    rows = [[cell.text for cell in row.children if cell.tag == "td"] for row in page.all("tbody")[0].children]
    assert [row[1:] for row in rows if row] == [
        ["First Step", "First submission", "active", "2"],
        ["Special Guest", "no rule", "inactive", "0"],
    ]
    assert page.all("a", href="/admin/badges/new")
    assert any(a.attrs.get("aria-current") == "page" and a.text == "Badges" for a in page.all("a"))


def test_admin_adds_a_badge_with_pasted_svg(app, admin_client):
    """A valid badge with pasted SVG and a rule is saved, and the list says so."""
    response = admin_client.post("/admin/badges/new", data=badge_form(rule="top_10"))
    assert response.status_code == 302 and response.location.endswith("/admin/badges")
    assert stored_badges(app) == [("Night Owl", BadgeRule.TOP_10, True, SVG)]
    assert "Badge “Night Owl” added." in admin_client.get("/admin/badges").get_data(as_text=True)


def test_admin_adds_a_badge_from_an_uploaded_file(app, admin_client):
    """An uploaded SVG file wins over the pasted text."""
    data = badge_form(image_svg="", image_file=(io.BytesIO(TOP_10_SVG.encode()), "top.svg", "image/svg+xml"))
    response = admin_client.post("/admin/badges/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert stored_badges(app)[0][3] == TOP_10_SVG


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"name_en": ""}, "name_en", "Please give the badge a name."),
        ({"criteria_en": " "}, "criteria_en", "Please say what a resident must do to earn it."),
        ({"image_svg": '<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>'}, "image_svg", "without scripts"),
        ({"image_svg": "not svg"}, "image_svg", "plain SVG file"),
        ({"image_svg": ""}, "image_svg", "Please upload an SVG file or paste the SVG text."),
        ({"rule": "wizardry"}, "rule", "Not a valid choice"),
    ],
)
def test_admin_form_shows_errors_on_the_field(app, admin_client, fields, field_id, message):
    """Invalid input is refused with 422 and the reason under the field; nothing is saved."""
    response = admin_client.post("/admin/badges/new", data=badge_form(**fields))
    assert response.status_code == 422
    page = Page(response)
    assert message in (page.field_error(field_id) or ""), page.field_error(field_id)
    assert page.value("name_en") == badge_form(**fields)["name_en"]
    assert stored_badges(app) == []


def test_admin_upload_error_is_shown_on_the_file_field(app, admin_client):
    """A bad uploaded file is reported on the file field, not on the text box."""
    data = badge_form(image_file=(io.BytesIO(b"<svg><script/></svg>"), "bad.svg", "image/svg+xml"))
    page = Page(admin_client.post("/admin/badges/new", data=data, content_type="multipart/form-data"))
    assert page.response.status_code == 422
    assert "plain SVG file" in page.field_error("image_file")
    assert page.field_error("image_svg") is None


def test_admin_edits_a_badge(app, admin_client, make_user):
    """The edit form shows the badge and its holders; saving changes it, even deactivating it."""
    badge_id = create_badge(app)
    give(app, make_user())
    page = Page(admin_client.get(f"/admin/badges/{badge_id}/edit"))
    assert page.value("name_en") == "First Step" and page.value("rule") == "first_submission"
    assert "Residents holding it" in page.html and page.by_id("image_svg").text == FIRST_STEP_SVG
    data = badge_form(name_en="First Steps", rule="first_submission", image_svg=FIRST_STEP_SVG)
    del data["active"]
    response = admin_client.post(f"/admin/badges/{badge_id}/edit", data=data)
    assert response.status_code == 302
    assert stored_badges(app) == [("First Steps", BadgeRule.FIRST_SUBMISSION, False, FIRST_STEP_SVG)]


def test_admin_edit_refuses_bad_svg_and_keeps_the_badge(app, admin_client):
    """A refused edit changes nothing."""
    badge_id = create_badge(app)
    data = badge_form(image_svg='<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>')
    assert admin_client.post(f"/admin/badges/{badge_id}/edit", data=data).status_code == 422
    assert stored_badges(app)[0][:2] == ("First Step", BadgeRule.FIRST_SUBMISSION)
    assert admin_client.get("/admin/badges/999/edit").status_code == 404


def test_badge_pages_have_no_inline_script_or_style(app, admin_client, make_user, login):
    """The strict CSP forbids inline script and style: the pages must not need them."""
    badge_id = create_badge(app)
    resident = make_user()
    give(app, resident)
    client = app.test_client()
    login(client, resident)
    pages = [admin_client.get("/admin/badges"), admin_client.get(f"/admin/badges/{badge_id}/edit"),
             admin_client.get("/admin/badges/new"), client.get("/me/badges"),
             client.get(f"/badges/classes/{badge_id}/criteria")]  # fmt: skip
    for response in pages:
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert not re.search(r"<script\b|<style\b|\sstyle=|\son[a-z]+=", html), response.request.path
