"""Releases: small cells suppressed, totals protected, the export logged with the residents it used."""

import csv
import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from app.extensions import db
from sharing.models import DataUse, DataUseResident, Level
from stats import exports, services
from stats.figures import Filters
from stats.periods import Granularity
from stats.release import Status
from tests.challenges.conftest import NOW
from tests.stats.conftest import WEEK


def _filters(level=Level.CITY):
    return Filters(start=date(2026, 2, 23), end=date(2026, 3, 8), granularity=Granularity.WEEK, level=level)


def _measure(release, name):
    return next(table for table in release.measures if table.name == name)


def test_small_cells_are_suppressed_with_k_5(city):
    """Two residents behind the city's week: with k = 5 the cell and every total that would show it are withheld."""
    release, _figures = services.build_release(_filters(), at=NOW, k=5)
    table = _measure(release, "car_km_avoided")
    assert [v.status for v in table.rows["city"]] == [Status.SHOWN, Status.SUPPRESSED]
    assert table.rows["city"][0].value == 0  # a true zero says nothing about anybody
    assert table.row_totals["city"].value is None and table.grand_total.value is None
    assert table.column_totals[1].value is None
    assert release.suppressed_count > 0


def test_everything_shows_with_k_1(city, exact):
    """With k = 1 the same release shows every value, and totals add up."""
    release, _figures = services.build_release(_filters(), at=NOW, k=1)
    table = _measure(release, "car_km_avoided")
    assert table.rows["city"][1].value == 20.0
    assert table.grand_total.value == 20.0
    assert release.residents_included == 2 and release.residents_excluded == 1


def test_export_is_logged_with_its_residents(city, make_user):
    """Each export writes one data use entry naming the residents it used and how many were left out."""
    staff = make_user(role="staff")
    release = services.export(_filters(Level.NEIGHBOURHOOD), db.session.merge(staff), "test export", at=NOW)
    use = db.session.get(DataUse, release.export_id)
    assert use.resident_count == 1 and use.excluded_count == 0 and use.level == Level.NEIGHBOURHOOD
    residents = {row.user_id for row in db.session.query(DataUseResident).filter_by(data_use_id=use.id)}
    assert residents == {city["a1"].id}


def test_csv_xlsx_and_json_parse(city, exact):
    """The three formats open with standard readers and carry the same values and the metadata."""
    release, _figures = services.build_release(_filters(), at=NOW, k=1)
    rows = list(csv.DictReader(io.StringIO("".join(exports.csv_lines(release)))))
    cell = next(r for r in rows if r["measure"] == "car_km_avoided" and r["period_start"] == WEEK.isoformat()
                and r["place"] == "city")  # fmt: skip
    assert float(cell["value"]) == 20.0 and cell["status"] == "shown"
    book = load_workbook(io.BytesIO(exports.xlsx_bytes(release)), read_only=True)
    assert {"About", "Definitions", "Car-km avoided"} <= set(book.sheetnames)
    sheet_rows = list(book["Car-km avoided"].iter_rows(values_only=True))
    assert sheet_rows[1][0] == "Area" and sheet_rows[2][0] == "Whole city" and sheet_rows[2][2] == 20.0
    metadata = exports.metadata(release, "Statistics office", "https://city.example/stats")
    document = json.loads(exports.json_bytes(exports.json_document(release, metadata)))
    assert document["measures"]["car_km_avoided"]["grand_total"] == {"value": 20.0, "status": "shown"}
    assert document["metadata"]["dct:temporal"] == {"dcat:startDate": "2026-02-23", "dcat:endDate": "2026-03-08"}
    assert document["metadata"]["residents_left_out_without_consent"] == 1


def test_values_are_perturbed_and_the_method_is_published(city):
    """With k = 1 every non-zero value carries cell-key noise within its bound; the metadata names the method."""
    for resident, key in ((city["a1"], 123_456_789), (city["a2"], 987_654_321)):  # fixed: the noise is reproducible
        db.session.merge(resident).record_key = key
    release, figures = services.build_release(_filters(), at=NOW, k=1)
    published = _measure(release, "car_km_avoided").rows["city"][1]
    true = figures.tables["car_km_avoided"][0][WEEK]
    assert published.status == Status.PERTURBED and published.value != true.value
    assert abs(published.value - true.value) <= 2.0 * true.largest + 0.05
    metadata = exports.metadata(release, "Statistics office", "https://city.example/stats")
    assert "cell key method" in metadata["perturbation"]["method"]
    assert metadata["status_values"]["perturbed"].startswith("the aggregate with cell-key noise")
    about = dict(exports._about_rows(release))
    assert "Thompson" in about["perturbation_method"]


@pytest.mark.parametrize(
    ("residents", "shown"), [(0, 0), (1, None), (4, None), (5, 5), (7, 5), (8, 10), (33, 35), (1002, 1000)]
)
def test_the_history_shows_head_counts_rounded_and_none_below_k(app, residents, shown):
    """Two entries of the export history cannot be subtracted to find one resident: below k nothing, above it a
    multiple of 5 (33 and 32 residents both read 35 or 30, never the single one between)."""
    with app.app_context():
        assert services.protected_head_count(residents, k=5) == shown
