"""Consents given on paper: the service desk enters what the resident signed, kept with who entered it and the
signed form's reference; the gate treats it like any other consent."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from accounts.models import Role
from app.extensions import db
from sharing import errors, gate, receipts, services
from sharing.models import Consent, Level
from tests.conftest import log_in
from tests.sharing.conftest import category, purpose

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def test_a_paper_consent_is_in_force_with_its_reference(ctx, catalogue, make_user):
    """Entered at the desk: in force at once, kept with the manager and the reference, named so on the receipt."""
    resident, manager = db.session.merge(make_user()), db.session.merge(make_user(role=Role.MANAGER))
    consent = services.record_paper_consent(
        resident, manager, category("trips"), purpose("traffic_planning"), "neighbourhood", 12, " F-2026/0815 ", now=NOW
    )
    assert (consent.method, consent.entered_by_id, consent.paper_reference) == ("paper", manager.id, "F-2026/0815")
    assert gate.is_allowed(resident.id, "trips", "traffic_planning", Level.NEIGHBOURHOOD, at=NOW)
    receipt = receipts.receipt(consent, "https://city.example/privacy", "https://city.example/me/consents")
    assert receipt["collectionMethod"] == "signed paper form, entered at the service desk"


@pytest.mark.parametrize("reference", ["", "   ", "x" * 81])
def test_a_paper_consent_needs_the_forms_reference(ctx, catalogue, make_user, reference):
    """Without a reference to find the signed paper again, nothing is stored."""
    resident, manager = db.session.merge(make_user()), db.session.merge(make_user(role=Role.MANAGER))
    with pytest.raises(errors.InvalidConsent) as caught:
        services.record_paper_consent(
            resident, manager, category("trips"), purpose("traffic_planning"), "city", 6, reference, now=NOW
        )
    assert set(caught.value.errors) == {"paper_reference"}
    assert db.session.scalars(select(Consent)).all() == []


def test_the_desk_enters_a_paper_consent_and_sees_it_in_force(app, client, catalogue, make_user):
    """The manager's page: the form, a refusal on the field, then the consent listed with its reference."""
    resident = make_user(pseudonym="Paper Heron")
    log_in(client, make_user(role=Role.MANAGER))
    url = f"/desk/residents/{resident.id}/consents"
    page = client.get(url)
    assert page.status_code == 200 and "Nothing is shared: no consent is in force." in page.get_data(as_text=True)
    with app.app_context():
        trips, planning = category("trips").id, purpose("traffic_planning").id
    data = {"category_id": trips, "purpose_id": planning, "level": "city", "duration_months": "6"}
    refused = client.post(url, data={**data, "paper_reference": ""})
    assert refused.status_code == 200 and 'aria-invalid="true"' in refused.get_data(as_text=True)
    saved = client.post(url, data={**data, "paper_reference": "F-17"}, follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert "Saved: the consent signed on paper is in force for Paper Heron." in text
    assert "On paper, form F-17" in text


def test_only_managers_enter_paper_consents(client, catalogue, make_user):
    """A resident cannot enter consents for someone else, nor reach the page; a manager cannot for staff."""
    resident, other = make_user(), make_user()
    log_in(client, other)
    assert client.get(f"/desk/residents/{resident.id}/consents").status_code == 403
    client.post("/logout")
    log_in(client, make_user(role=Role.MANAGER))
    staff = make_user(role=Role.STAFF)
    assert client.get(f"/desk/residents/{staff.id}/consents").status_code == 404
