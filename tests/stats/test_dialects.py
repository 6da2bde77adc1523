"""Exports that open correctly in the reader's Excel: German CSV and workbooks, the marker for withheld values."""

import csv
import io
import zipfile

import pytest
from flask_babel import refresh
from openpyxl import load_workbook

from accounts.models import Role
from stats.dialects import BOM

PERIOD = {"start": "2026-02-23", "end": "2026-03-08", "granularity": "week"}
HEADER_DE = ["Merkmal", "Gebiet", "Zeitraum ab", "Wert", "Status"]


@pytest.fixture
def k(app, monkeypatch):
    """Set the small-cell rule's k for one test."""

    def set_k(value: int) -> None:
        monkeypatch.setitem(app.config, "STATS_MIN_RESIDENTS", value)

    return set_k


@pytest.fixture
def german_staff(app, make_user, login):
    """A staff member whose language is German, logged in."""
    client = app.test_client()
    login(client, make_user(role=Role.STAFF, language="de"))
    return client


def _export(client, fmt="csv", **args):
    # The city's fixtures run in a request context whose `g` the client's requests share; forget the
    # language it cached there so that each request chooses it from its user, as in production.
    refresh()
    response = client.get("/stats/export", query_string={**PERIOD, "format": fmt, **args})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def _german_rows(data: bytes) -> list[list[str]]:
    """The CSV as German Excel reads it: UTF-8 after the byte order mark, `;` between cells."""
    assert data.startswith(BOM.encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), dialect="excel", delimiter=";"))


def _table(rows: list[list[str]]) -> list[dict[str, str]]:
    """The table's rows by header, up to the empty line before the notes."""
    end = rows.index([])
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:end]]


def test_german_staff_get_semicolons_decimal_commas_and_german_codes(city, german_staff, k, exact):
    """By the user's language alone: BOM, `;`, German headers, measures and places, decimal commas."""
    k(1)
    rows = _german_rows(_export(german_staff, level="city").data)
    assert rows[0] == HEADER_DE
    table = _table(rows)
    city_week = next(r for r in table if r["Merkmal"] == "Vermiedene Auto-km" and r["Zeitraum ab"] == "2026-03-02"
                     and r["Gebiet"] == "Ganze Stadt")  # fmt: skip
    assert city_week["Wert"] == "20" and city_week["Status"] == "exakt"
    shares = [r["Wert"] for r in table if r["Merkmal"] == "Vermiedene Auto-km" and r["Zeitraum ab"] == "Summe"]
    assert shares and all("." not in value for value in shares)
    assert all(set(row) == set(HEADER_DE) for row in table)


def test_german_csv_writes_a_decimal_comma(city, german_staff, k, exact):
    """A value with decimals is written with a comma, which German Excel reads as a number."""
    k(1)
    table = _table(_german_rows(_export(german_staff, level="city").data))
    co2 = [r["Wert"] for r in table if r["Merkmal"] == "Vermiedenes CO₂ (kg)" and r["Wert"] not in ("0", ".")]
    assert co2 and all("," in value and "." not in value for value in co2), co2
    assert all(float(value.replace(",", ".")) > 0 for value in co2)


def test_withheld_values_carry_the_marker_and_its_note(city, german_staff, k):
    """With k = 5 every non-zero value is withheld: `.` in the value column, a note under the table."""
    k(5)
    rows = _german_rows(_export(german_staff).data)
    table = _table(rows)
    withheld = [r for r in table if r["Status"] == "geheim gehalten"]
    assert withheld and all(r["Wert"] == "." for r in withheld)
    assert all(r["Wert"] == "0" for r in table if r["Status"] != "geheim gehalten")
    notes = rows[rows.index([]) + 1 :]
    assert notes[0][0].startswith(". = Zahlenwert unbekannt oder geheimzuhalten")


def test_english_csv_keeps_its_machine_readable_shape(city, staff_client, k, exact):
    """An English reader gets the RFC 4180 table as before: comma, decimal point, codes, no BOM, empty when withheld."""
    k(1)
    data = _export(staff_client, level="city").data
    assert not data.startswith(BOM.encode())
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert list(rows[0]) == ["measure", "place", "period_start", "value", "status"]
    co2 = [r["value"] for r in rows if r["measure"] == "co2_kg_avoided" and r["value"] not in ("0", "0.0")]
    assert co2 and all("." in value and "," not in value for value in co2)
    assert {r["place"] for r in rows} == {"city", "TOTAL"}


def test_the_dialect_parameter_overrides_the_language(city, german_staff, staff_client, k):
    """dialect=rfc4180 gives a German reader the machine table; dialect=excel an English one a BOM'd spreadsheet CSV."""
    k(5)
    machine = _export(german_staff, dialect="rfc4180").get_data(as_text=True)
    assert machine.startswith("measure,place,period_start,value,status")
    rows = list(csv.DictReader(io.StringIO(machine)))
    assert all(r["value"] == "" for r in rows if r["status"] == "suppressed")
    english = _export(staff_client, dialect="excel").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(english)))
    assert table[0] == ["Measure", "Area", "Period from", "Value", "Status"]
    assert any(row[3:] == [".", "withheld"] for row in table[1:] if row)
    refresh()
    unknown = staff_client.get("/stats/export", query_string={**PERIOD, "format": "csv", "dialect": "x"})
    assert unknown.status_code == 422


def test_zip_bundle_stays_machine_readable_in_german(city, german_staff, k):
    """The ZIP's data.csv goes with metadata.json to machines: RFC 4180 whatever the reader's language."""
    bundle = zipfile.ZipFile(io.BytesIO(_export(german_staff, "zip").data))
    assert bundle.read("data.csv").decode().startswith("measure,place,period_start,value,status")


def test_german_workbook_has_german_sheets_headers_and_the_marker(city, german_staff, k):
    """Sheet names and headers in German; a withheld value is `.`, explained under the table."""
    k(5)
    book = load_workbook(io.BytesIO(_export(german_staff, "xlsx").data), read_only=True)
    assert book.sheetnames[0] == "Info" and book.sheetnames[-1] == "Definitionen"
    assert "Vermiedene Auto-km" in book.sheetnames and "car_km_avoided" not in book.sheetnames
    rows = list(book["Vermiedene Auto-km"].iter_rows(values_only=True))
    assert rows[0][0] == "Vermiedene Auto-km" and rows[1][0] == "Gebiet" and rows[1][-1] == "Summe"
    assert "." in rows[2][1:] and ("Summe",) in [row[:1] for row in rows]
    assert any(row and str(row[0]).startswith(". = Zahlenwert unbekannt") for row in rows)
    about = dict((*row, None)[:2] for row in book["Info"].iter_rows(values_only=True))
    assert about["Stufe"] == "Pro Quartier" and about["Einteilung"] == "Woche"


def test_api_writes_rfc4180_unless_asked_for_excel(city, app, make_user, make_token, k):
    """The API serves programs: RFC 4180 by default even for a German user; dialect=excel gives the spreadsheet CSV."""
    k(5)
    headers = {"Authorization": f"Bearer {make_token(make_user(role=Role.STAFF, language='de'))}"}
    query = {"from": PERIOD["start"], "to": PERIOD["end"], "period": "week", "format": "csv"}
    refresh()
    machine = app.test_client().get("/api/v1/stats/participation", query_string=query, headers=headers)
    assert machine.get_data(as_text=True).startswith("measure,place,period_start,value,status")
    refresh()
    excel = app.test_client().get("/api/v1/stats/participation", query_string={**query, "dialect": "excel"},
                                  headers=headers)  # fmt: skip
    rows = _german_rows(excel.data)
    assert rows[0] == HEADER_DE and any(row[3:] == [".", "geheim gehalten"] for row in rows)
