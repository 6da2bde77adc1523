"""Funding programmes: who is eligible, the admins' pages, the resident's list."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from nudges import errors, funding
from nudges.models import FundingProgramme
from tests.challenges.conftest import NOW

VALID = {"name_en": "Fridge bonus", "name_de": "Kühlschrankbonus", "provider": "City", "funds_en": "a fridge",
         "funds_de": "einen Kühlschrank", "link": "https://example.org/fridge"}  # fmt: skip


def programme(**fields) -> FundingProgramme:
    return funding.create_programme(**{**VALID, **fields})


def test_eligibility_by_household_neighbourhood_validity_and_status(ctx, make_user, make_neighbourhood, give_consent):
    """Household size within range, neighbourhood listed (or none listed), still valid, active."""
    here, there = make_neighbourhood("Here"), make_neighbourhood("There")
    user = db.session.merge(make_user(household_size=3, neighbourhood_id=here.id))
    give_consent(user, "household_profile", "personal_advice", "individual", now=NOW - timedelta(days=1))
    everyone = programme(name_en="A everyone")
    programme(name_en="B too small", max_household_size=2)
    sized = programme(name_en="C families", min_household_size=3, max_household_size=5)
    local = programme(name_en="D here", neighbourhood_ids=[here.id])
    programme(name_en="E there", neighbourhood_ids=[there.id])
    programme(name_en="F expired", valid_until=date(2026, 3, 3))
    today = programme(name_en="G last day", valid_until=date(2026, 3, 4))
    programme(name_en="H inactive", active=False)
    assert funding.eligible(user, NOW) == [everyone, sized, local, today]
    assert [p.name_en for p in funding.eligible(user, NOW + timedelta(days=1))] == ["A everyone", "C families",
                                                                                    "D here"]  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"name_de": " "}, "name_de"), ({"link": "javascript:alert(1)"}, "link"), ({"link": "example.org"}, "link"),
     ({"min_household_size": 4, "max_household_size": 2}, "max_household_size"),
     ({"min_household_size": 0}, "min_household_size"), ({"funds_en": "x" * 201}, "funds_en")],
)  # fmt: skip
def test_invalid_programmes_are_refused(ctx, fields, field):
    """Both languages required, web links only, a sensible household range."""
    with pytest.raises(errors.InvalidFields) as refused:
        programme(**fields)
    assert field in refused.value.errors


def test_only_admins_reach_the_catalogue(app, client, resident_client, manager_client):
    """Anonymous visitors log in first; residents and managers are refused."""
    assert client.get("/admin/funding").status_code == 302
    assert resident_client.get("/admin/funding").status_code == 403
    assert manager_client.get("/admin/funding/new").status_code == 403


def form(**fields) -> dict:
    return {**VALID, "description_en": "", "description_de": "", "min_household_size": "", "max_household_size": "",
            "valid_until": "", "active": "y", **fields}  # fmt: skip


def test_admin_adds_and_edits_a_programme(app, admin_client, make_neighbourhood):
    """New, listed, edited: both languages, a household range and a neighbourhood."""
    place = make_neighbourhood("Südstadt")
    assert admin_client.get("/admin/funding/new").status_code == 200
    response = admin_client.post("/admin/funding/new", data=form(min_household_size="2", neighbourhood_ids=[place.id],
                                                                 valid_until="2027-06-30"))  # fmt: skip
    assert response.status_code == 302
    listing = admin_client.get("/admin/funding").get_data(as_text=True)
    assert "Fridge bonus" in listing and "Kühlschrankbonus" in listing and "Südstadt" in listing
    with app.app_context():
        saved = db.session.scalar(select(FundingProgramme))
        assert (saved.min_household_size, saved.valid_until) == (2, date(2027, 6, 30))
        assert [n.name for n in saved.neighbourhoods] == ["Südstadt"]
    edit = f"/admin/funding/{saved.id}/edit"
    assert "Kühlschrankbonus" in admin_client.get(edit).get_data(as_text=True)
    assert admin_client.post(edit, data=form(name_de="Kühlschrank-Tauschbonus", active="")).status_code == 302
    with app.app_context():
        saved = db.session.get(FundingProgramme, saved.id)
        assert (saved.name_de, saved.active, saved.neighbourhoods) == ("Kühlschrank-Tauschbonus", False, [])


def test_admin_form_shows_errors(app, admin_client):
    """A missing German name and a bad link: 422, the form again, nothing saved."""
    response = admin_client.post("/admin/funding/new", data=form(name_de="", link="ftp://example.org"))
    assert response.status_code == 422
    assert "https://" in response.get_data(as_text=True)
    assert admin_client.get("/admin/funding/999/edit").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(FundingProgramme)) is None


def test_residents_see_the_programmes_they_may_use(app, resident_client):
    """The advice's link lists eligible programmes with the provider's link, in the resident's language."""
    with app.app_context():
        programme(name_en="Fridge bonus")
        programme(name_en="Big families", min_household_size=6)
        db.session.commit()
    page = resident_client.get("/me/funding").get_data(as_text=True)
    assert "Fridge bonus" in page and "https://example.org/fridge" in page and "Big families" not in page


def test_without_the_profile_only_programmes_open_to_every_household_are_shown(
    ctx, make_user, make_neighbourhood, give_consent
):
    """Matching reads the household profile: without consent to use it for personal advice, the gate says no and
    only programmes without household conditions are listed; with it, the matching ones too."""
    here = make_neighbourhood("Here")
    user = db.session.merge(make_user(household_size=3, neighbourhood_id=here.id))
    everyone = programme(name_en="A everyone")
    sized = programme(name_en="C families", min_household_size=3)
    local = programme(name_en="D here", neighbourhood_ids=[here.id])
    assert funding.eligible(user, NOW) == [everyone]
    consent = give_consent(user, "household_profile", "municipal_statistics", "individual", now=NOW - timedelta(1))
    assert funding.eligible(user, NOW) == [everyone]  # another purpose is no consent for this one
    give_consent(user, "household_profile", "personal_advice", "individual", now=NOW - timedelta(days=1))
    assert consent is not None and funding.eligible(user, NOW) == [everyone, sized, local]
