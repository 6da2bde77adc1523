"""The JSON API of data sharing: my consents (grant, change, revoke), receipts, uses of my data, the catalogue."""

import pytest
from sqlalchemy import select

from accounts.models import Role
from app.extensions import db
from sharing import credits, gate, uses
from sharing.models import Consent, EndReason, Level
from tests.sharing.conftest import purpose

API = "/api/v1"
STATS = ("energy_readings", "municipal_statistics")
CONSENT_FIELDS = {"id", "receipt_id", "category", "purpose", "level", "duration_months", "granted_at", "expires_at",
                  "ended_at", "end_reason", "active"}  # fmt: skip


def assert_error(response, status: int, field: str | None = None, rule: str | None = None) -> dict:
    body = response.get_json()
    assert response.status_code == status, body
    assert body["code"] == status and body["message"]
    if field:
        assert field in body["errors"], body
    if rule:
        assert body["rule"] == rule, body
    return body


@pytest.fixture
def resident(app, make_user, make_token, catalogue):
    """A resident and the headers of their access token."""
    user = make_user()
    user.headers = {"Authorization": f"Bearer {make_token(user)}"}
    return user


def grant(client, user, level="neighbourhood", months=6, category=STATS[0], purpose_code=STATS[1]):
    body = {"category": category, "purpose": purpose_code, "level": level, "duration_months": months}
    return client.post(f"{API}/me/consents", json=body, headers=user.headers)


def test_grant_change_and_revoke_act_on_the_gate_and_keep_the_history(client, resident):
    """POST grants (201), the same again is 200, a change ends the old grant, DELETE revokes (204)."""
    response = grant(client, resident, level="neighbourhood")
    assert response.status_code == 201
    first = response.get_json()
    assert set(first) == CONSENT_FIELDS
    assert first["category"] == {"code": "energy_readings", "name": "Energy meter readings"}
    assert first["purpose"] == {"code": "municipal_statistics", "name": "Municipal statistics",
                                "organisation": "City statistics office"}  # fmt: skip
    assert first["level"] == "neighbourhood" and first["active"] and first["ended_at"] is None
    assert gate.is_allowed(resident.id, *STATS, "city") and not gate.is_allowed(resident.id, *STATS, "individual")
    assert db.session.get(Consent, first["id"]).method == "api"

    again = grant(client, resident, level="neighbourhood")
    assert again.status_code == 200 and again.get_json()["id"] == first["id"]

    changed = grant(client, resident, level="individual", months=12)
    assert changed.status_code == 201
    second = changed.get_json()
    assert gate.is_allowed(resident.id, *STATS, "individual")

    in_force = client.get(f"{API}/me/consents", headers=resident.headers).get_json()
    assert [consent["id"] for consent in in_force] == [second["id"]]
    history = client.get(f"{API}/me/consents?all=true", headers=resident.headers).get_json()
    assert [(c["id"], c["end_reason"], c["active"]) for c in history] == [
        (second["id"], None, True), (first["id"], EndReason.CHANGED.value, False)]  # fmt: skip

    response = client.delete(f"{API}/me/consents/{second['id']}", headers=resident.headers)
    assert response.status_code == 204
    assert not gate.is_allowed(resident.id, *STATS, "city")
    assert client.get(f"{API}/me/consents", headers=resident.headers).get_json() == []
    history = client.get(f"{API}/me/consents?all=true", headers=resident.headers).get_json()
    assert history[0]["end_reason"] == "revoked" and history[0]["ended_at"]


def test_revoking_twice_is_409_and_others_consents_are_404(client, resident, make_user, give_consent):
    """An ended consent cannot end again; a consent of someone else does not exist for me."""
    consent_id = grant(client, resident).get_json()["id"]
    assert client.delete(f"{API}/me/consents/{consent_id}", headers=resident.headers).status_code == 204
    assert_error(client.delete(f"{API}/me/consents/{consent_id}", headers=resident.headers), 409, rule="not_active")
    other = give_consent(make_user(), *STATS, "city")
    assert_error(client.delete(f"{API}/me/consents/{other.id}", headers=resident.headers), 404, rule="not_found")
    assert_error(client.get(f"{API}/me/consents/{other.id}/receipt", headers=resident.headers), 404)
    assert gate.is_allowed(other.user_id, *STATS, "city")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"level": "everything"}, "level"),
        ({"duration_months": 7}, "duration_months"),
        ({"duration_months": "6"}, "duration_months"),
        ({"category": "unknown"}, "category"),
        ({"purpose": "no_such_purpose"}, "purpose"),
        ({"category": "Energy Readings"}, "category"),
        ({"extra": 1}, "extra"),
    ],
)
def test_invalid_consents_are_422_naming_the_field(client, resident, body, field):
    """Every problem is a 422 in the single error format, with a message for the field; nothing is granted."""
    values = {"category": STATS[0], "purpose": STATS[1], "level": "city", "duration_months": 6, **body}
    response = client.post(f"{API}/me/consents", json=values, headers=resident.headers)
    errors = assert_error(response, 422)["errors"]
    assert any(key == field or key.endswith(f".{field}") or field in key for key in errors), errors
    assert db.session.scalar(select(Consent.id)) is None


def test_inactive_purposes_cannot_be_granted(client, resident):
    """A purpose switched off by an admin is as unknown as one that never existed."""
    purpose("research").active = False
    db.session.commit()
    assert_error(grant(client, resident, purpose_code="research"), 422, field="purpose")


def test_receipt_is_the_kantara_json(client, resident):
    """The receipt carries the Kantara v1.1 fields and says the consent came through the API."""
    consent = grant(client, resident, level="city", months=3, purpose_code="research").get_json()
    response = client.get(f"{API}/me/consents/{consent['id']}/receipt", headers=resident.headers)
    assert response.status_code == 200
    receipt = response.get_json()
    assert receipt["consentReceiptID"] == consent["receipt_id"]
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["collectionMethod"] == "API request by the resident"
    assert receipt["piiPrincipalId"] == f"civiquest-resident-{resident.id}"
    assert receipt["policyUrl"].endswith("/privacy")
    item = receipt["services"][0]["purposes"][0]
    assert item["thirdPartyDisclosure"] is True and item["aggregationLevel"] == "city"
    assert "3 months" in item["termination"]


def test_my_data_uses_are_mine_only_and_paginated(client, resident, make_user):
    """Each use that included me, newest first, with the X-Pagination header; others' uses stay hidden."""
    stats = purpose("municipal_statistics")
    staff = db.session.merge(make_user(role=Role.STAFF))
    for _ in range(3):
        uses.record_use(staff, stats, ["energy_readings"], Level.NEIGHBOURHOOD, {}, [resident.id])
    uses.record_use(staff, stats, ["trips"], Level.CITY, {}, [make_user().id])
    db.session.commit()
    response = client.get(f"{API}/me/data-uses?per_page=2", headers=resident.headers)
    assert response.status_code == 200
    page = response.get_json()
    assert len(page) == 2 and '"total": 3' in response.headers["X-Pagination"]
    assert page[0] == {
        "id": page[0]["id"], "created_at": page[0]["created_at"], "organisation": "City statistics office",
        "purpose": {"code": "municipal_statistics", "name": "Municipal statistics"}, "level": "neighbourhood",
        "categories": ["energy_readings"], "resident_count": 1,
    }  # fmt: skip
    assert_error(client.get(f"{API}/me/data-uses?page=0", headers=resident.headers), 422)


def test_the_catalogue_is_public_in_both_languages_with_rates(client, catalogue):
    """Anyone can read categories, purposes (English and German), levels with this week's rates, durations."""
    response = client.get(f"{API}/data/catalogue")
    assert response.status_code == 200
    body = response.get_json()
    assert [c["code"] for c in body["categories"]] == [
        "energy_readings",
        "trips",
        "household_profile",
        "meter_readings",
        "routes",
    ]
    grid = next(p for p in body["purposes"] if p["code"] == "grid_planning")
    assert grid["name_de"] == "Netzplanung" and grid["explanation_de"] and grid["third_party"] is True
    assert [level["code"] for level in body["levels"]] == ["individual", "neighbourhood", "city"]
    base, per_record, cap = credits.DEFAULT_RATES[Level.INDIVIDUAL]
    assert body["levels"][0]["rate"] == {"base_points": base, "points_per_record": per_record, "max_records": cap,
                                         "max_points_per_week": base + per_record * cap}  # fmt: skip
    assert body["durations"] == [3, 6, 12]


def test_anonymous_callers_get_401(client, catalogue):
    """Everything under /me needs a log-in or a token."""
    for method, path in (("get", "/me/consents"), ("post", "/me/consents"), ("delete", "/me/consents/1"),
                         ("get", "/me/consents/1/receipt"), ("get", "/me/data-uses")):  # fmt: skip
        assert_error(getattr(client, method)(API + path, json={}), 401)


def test_session_writes_need_the_csrf_header(app, client, make_user, catalogue):
    """A logged-in browser session cannot grant through the API without the CSRF token."""
    from tests.conftest import log_in

    user = make_user()
    log_in(client, user)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        body = {"category": STATS[0], "purpose": STATS[1], "level": "city", "duration_months": 6}
        response = client.post(f"{API}/me/consents", json=body)
        assert response.status_code in (400, 403)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert not gate.is_allowed(user.id, *STATS, "city")
