"""Statistics API: staff only, one error format, suppression in every format, each export logged."""

import csv
import io
import json
import zipfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openpyxl import load_workbook
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.models import Role
from app.extensions import db
from sharing.models import DataUse

URL = "/api/v1/stats/participation"
PERIOD = {"from": "2026-02-23", "to": "2026-03-08", "period": "week"}


@pytest.fixture
def staff_token(make_user, make_token, app, monkeypatch):
    monkeypatch.setitem(app.config, "STATS_MIN_RESIDENTS", 5)
    return make_token(make_user(role=Role.STAFF, pseudonym="Statistician"))


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _uses() -> list[DataUse]:
    db.session.expire_all()
    return db.session.query(DataUse).order_by(DataUse.id).all()


def test_anonymous_gets_401(client):
    """Without a token the API answers 401 in its one error format."""
    for path in (URL, "/api/v1/stats/exports"):
        response = client.get(path)
        assert response.status_code == 401 and response.get_json()["code"] == 401


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MANAGER])
def test_residents_and_managers_get_403(client, make_user, make_token, role):
    """Residents and managers may not read statistics or their history."""
    headers = _auth(make_token(make_user(role=role)))
    for path in (URL, "/api/v1/stats/exports"):
        assert client.get(path, headers=headers).status_code == 403


def test_json_by_default_with_metadata_and_no_small_cell(city, client, staff_token):
    """JSON is the default; it carries its metadata and withholds every value resting on fewer than 5 residents."""
    response = client.get(URL, query_string=PERIOD, headers=_auth(staff_token))
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["metadata"]["filters"]["level"] == "neighbourhood"
    assert document["metadata"]["residents_included"] is None  # 1 < k
    assert document["periods"] == ["2026-02-23", "2026-03-02"]
    for measure in document["measures"].values():
        values = [v for row in measure["rows"] for v in [*row["values"], row["total"]]]
        assert all(v["value"] in (None, 0) for v in [*values, *measure["column_totals"], measure["grand_total"]])
    [use] = _uses()
    assert use.description == "API export (json)" and use.actor_label == "Statistician" and use.resident_count == 1


def test_group_by_city_counts_city_level_consents(city, client, staff_token, app, monkeypatch, exact):
    """group_by=city maps to the city level: the resident who consented for the city is counted too."""
    monkeypatch.setitem(app.config, "STATS_MIN_RESIDENTS", 1)
    document = client.get(URL, query_string={**PERIOD, "group_by": "city"}, headers=_auth(staff_token)).get_json()
    assert document["metadata"]["residents_included"] == 2
    assert document["measures"]["car_km_avoided"]["grand_total"] == {"value": 20.0, "status": "shown"}


def test_csv_streams_and_parses(city, client, staff_token):
    """format=csv streams a tidy table; no non-zero value of a small cell appears."""
    response = client.get(URL, query_string={**PERIOD, "format": "csv"}, headers=_auth(staff_token))
    assert response.status_code == 200 and response.is_streamed and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows and all((r["status"] == "suppressed" and r["value"] == "") or float(r["value"]) == 0 for r in rows)
    assert [use.description for use in _uses()] == ["API export (csv)"]


def test_xlsx_and_zip_open(city, client, staff_token):
    """format=xlsx opens with openpyxl; format=zip bundles data.csv with metadata.json."""
    response = client.get(URL, query_string={**PERIOD, "format": "xlsx"}, headers=_auth(staff_token))
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert {"About", "Definitions", "Submissions"} <= set(book.sheetnames)
    response = client.get(URL, query_string={**PERIOD, "format": "zip"}, headers=_auth(staff_token))
    bundle = zipfile.ZipFile(io.BytesIO(response.data))
    assert json.loads(bundle.read("metadata.json"))["suppression"]["k"] == 5
    assert len(_uses()) == 2


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"from": "2026-03-08", "to": "2026-02-23"}, "to"),
        ({"from": "2020-01-01", "to": "2026-01-01", "period": "day"}, "period"),
        ({"from": "0001-01-01"}, "from"),
        ({"period": "year"}, "period"),
        ({"group_by": "street"}, "group_by"),
        ({"neighbourhood_id": "999999"}, "neighbourhood_id"),
        ({"challenge_id": "999999"}, "challenge_id"),
        ({"category": "food"}, "category"),
        ({"format": "pdf"}, "format"),
    ],
)
def test_validation_errors_are_422_with_field_messages(city, client, staff_token, args, field):
    """Bad arguments get 422 naming the field; nothing is logged."""
    response = client.get(URL, query_string={**PERIOD, **args}, headers=_auth(staff_token))
    body = response.get_json()
    assert response.status_code == 422 and field in body["errors"], body
    assert _uses() == []


def test_repeated_ids_filter(city, client, staff_token, app, monkeypatch):
    """challenge_id and neighbourhood_id repeat; the filters reach the release."""
    monkeypatch.setitem(app.config, "STATS_MIN_RESIDENTS", 1)
    args = {**PERIOD, "challenge_id": [city["challenge"].id], "neighbourhood_id": [city["north"].id, city["south"].id]}
    document = client.get(URL, query_string=args, headers=_auth(staff_token)).get_json()
    assert document["metadata"]["filters"]["neighbourhood_ids"] == sorted([city["north"].id, city["south"].id])
    assert [row["place"] for row in document["measures"]["submissions"]["rows"]] == ["North", "South"]


def test_history_lists_exports_paginated(city, client, staff_token):
    """The export history lists each export with who, filters and residents, newest first, paginated."""
    for fmt in ("json", "csv"):
        client.get(URL, query_string={**PERIOD, "format": fmt}, headers=_auth(staff_token))
    response = client.get("/api/v1/stats/exports", query_string={"per_page": 1}, headers=_auth(staff_token))
    [entry] = response.get_json()
    assert json.loads(response.headers["X-Pagination"])["total"] == 2
    assert entry["description"] == "API export (csv)" and entry["actor"] == "Statistician"
    assert entry["residents_included"] is None and entry["residents_excluded"] == 0  # one resident: below k
    assert entry["filters"]["from"] == "2026-02-23" and entry["level"] == "neighbourhood"


def test_openapi_documents_the_file_formats(client):
    """The contract paths are documented, with CSV, XLSX and ZIP responses."""
    spec = client.get("/api/openapi.json").get_json()
    content = spec["paths"]["/api/v1/stats/participation"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "application/zip"} <= set(content)
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in content
    assert "/api/v1/stats/exports" in spec["paths"]


# Fuzzing as staff -------------------------------------------------------------------------------

# tests/test_openapi.py fuzzes as a resident and anonymously, which only reaches the 401 and 403 here.
stats_api = schemathesis.pytest.from_fixture("stats_schema")


@pytest.fixture
def stats_schema(app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app).include(path_regex="^/api/v1/stats")


@pytest.fixture
def fuzz_token(make_user, make_token, make_neighbourhood):
    """A staff token, and a neighbourhood so per-neighbourhood figures have a row."""
    make_neighbourhood()
    return make_token(make_user(role=Role.STAFF))


@stats_api.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzzing_as_staff(case, fuzz_token):
    """Generated filters from a staff token (huge ranges, odd ids) never give a 5xx or an answer off the schema."""
    case.call_and_validate(headers=_auth(fuzz_token), excluded_checks=[positive_data_acceptance])
