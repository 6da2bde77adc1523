"""Statistics pages: who may see them, filters, suppression on the page and in every download, the use log."""

import csv
import io
import json
import re
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from accounts.models import Role
from app.extensions import db
from sharing.models import DataUse
from stats.release import MEASURE_LABELS
from stats.views import SECTIONS

PERIOD = {"start": "2026-02-23", "end": "2026-03-08", "granularity": "week"}
NUMBER_CELL = re.compile(r'<td class="num">([^<]*)</td>')


@pytest.fixture
def k(app, monkeypatch):
    """Set the small-cell rule's k for one test."""

    def set_k(value: int) -> None:
        monkeypatch.setitem(app.config, "STATS_MIN_RESIDENTS", value)

    set_k(5)
    return set_k


def every_view(client, query: dict) -> str:
    """The overview and every view it links to, as one text: what a staff member can see with these filters."""
    measures = [f"/stats/measures/{name}" for name in MEASURE_LABELS]
    paths = ["/stats", *(f"/stats/{name}" for name in SECTIONS), *measures]
    pages = [client.get(path, query_string=query) for path in paths]
    assert [page.status_code for page in pages] == [200] * len(paths)
    return "\n".join(page.get_data(as_text=True) for page in pages)


def _uses(description: str | None = None) -> list[DataUse]:
    db.session.expire_all()
    uses = db.session.query(DataUse).order_by(DataUse.id).all()
    return [use for use in uses if description is None or use.description == description]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MANAGER])
@pytest.mark.parametrize("path", ["/stats", "/stats/export?format=csv", "/stats/exports"])
def test_residents_and_managers_get_403(app, make_user, login, role, path):
    """Only staff and admins reach the statistics pages."""
    client = app.test_client()
    login(client, make_user(role=role))
    assert client.get(path).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    """Anonymous visitors are asked to log in."""
    response = client.get("/stats")
    assert response.status_code == 302 and "/login" in response.location


def test_admin_sees_the_dashboard_and_staff_the_nav_link(admin_client, staff_client, make_neighbourhood):
    """Admins pass the staff check; the main navigation links to the statistics for staff."""
    make_neighbourhood("North")
    assert admin_client.get("/stats").status_code == 200
    page = staff_client.get("/stats").get_data(as_text=True)
    assert 'href="/stats" aria-current="page">Statistics</a>' in page


def test_no_small_cell_value_on_the_page(city, staff_client, k):
    """With k = 5 and three residents, every non-zero figure on every view is suppressed and marked."""
    page = every_view(staff_client, PERIOD)
    assert "Participation statistics" in page
    values = NUMBER_CELL.findall(page)
    assert values and set(values) == {"0"}, values
    assert 'class="num suppressed"' in page and "Suppressed: the figure rests on fewer than 5 residents" in page
    assert "Car-km avoided" in page and ">suppressed <span" in page  # the headline total, explained
    assert 'id="perturbation-legend"' in page and "cell key method" in page  # what the other figures carry


def test_figures_show_once_k_allows(city, staff_client, k, exact):
    """With k = 1 the same views show the values, their charts and their tables."""
    k(1)
    page = every_view(staff_client, PERIOD)
    assert "10" in NUMBER_CELL.findall(page)  # a1's 10 km by bike, the only resident counted per neighbourhood
    for chart in ("participation-chart", "comparison-chart", "savings-co2-chart"):
        assert f'<svg class="chart" id="{chart}"' in page and f'aria-labelledby="{chart}-title {chart}-desc"' in page
    for table in ("participation-table", "comparison-table", "savings-table", "table-car_km_avoided"):
        assert f'id="{table}"' in page
    assert "Submissions rose from 0 to 2 over 2 weeks." in page
    assert "Residents with at least one counted reading or trip in the period." in page  # the definitions


def test_the_overview_links_every_view_with_its_filters(city, staff_client, k):
    """The overview lists the charts' views and one table per measure, each link keeping the filters; the
    downloads stay on the overview; an unknown measure is a 404."""
    from tests.pages import Page

    page = Page(staff_client.get("/stats", query_string={**PERIOD, "level": "city", "compare": "joins"}))
    nav = next(nav for nav in page.all("nav") if nav.attrs.get("aria-label") == "Statistics views")
    links = [a.attrs["href"] for a in nav.iter() if a.tag == "a"]
    assert len(links) == 1 + len(SECTIONS) + len(MEASURE_LABELS)
    assert all("start=2026-02-23" in link and "level=city" in link and "compare=joins" in link for link in links)
    assert "/stats/measures/car_km_avoided?" in " ".join(links)
    assert page.by_id("downloads-title") is not None and page.by_id("open-data-title") is not None
    measure = Page(staff_client.get(links[-1]))
    assert measure.response.status_code == 200 and measure.by_id("downloads-title") is None
    assert len(measure.all("table")) == 1
    assert staff_client.get("/stats/measures/nothing", query_string=PERIOD).status_code == 404
    assert staff_client.get("/stats/charts").status_code == 404


def test_default_period_is_the_last_twelve_weeks(staff_client, catalogue, make_neighbourhood):
    """Without filters the dashboard shows the twelve full weeks before this one, Monday to Sunday."""
    make_neighbourhood("North")
    page = staff_client.get("/stats/participation").get_data(as_text=True)
    starts = re.findall(r'name="start" type="date" value="([0-9-]+)"', page)
    ends = re.findall(r'name="end" type="date" value="([0-9-]+)"', page)
    start, end = date.fromisoformat(starts[0]), date.fromisoformat(ends[0])
    assert start.weekday() == 0 and end.weekday() == 6 and (end - start).days == 12 * 7 - 1
    assert "over 12 weeks" in page or "No submission total can be shown" in page


def test_no_neighbourhoods_yet_is_a_form_error(staff_client, catalogue):
    """Per neighbourhood without any neighbourhood is a form error; the whole city still works."""
    response = staff_client.get("/stats")
    assert response.status_code == 422 and "There are no neighbourhoods yet" in response.get_data(as_text=True)
    assert staff_client.get("/stats", query_string={"level": "city"}).status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"start": "2026-03-08", "end": "2026-02-23"}, "The last day must not be before the first day."),
        ({"start": "2023-01-01", "end": "2026-02-23", "granularity": "day"}, "columns at this granularity"),
        ({"neighbourhood_ids": "999999"}, "valid choice"),
        ({"challenge_ids": "abc"}, "Invalid"),
        ({"granularity": "year"}, "Not a valid choice"),
        ({"start": "1200-01-01"}, "Enter a date between the years 2000 and 2200."),
    ],
)
def test_invalid_filters_show_form_errors(staff_client, catalogue, args, message):
    """Bad filters come back as form errors (422), never a server error, and nothing is logged."""
    response = staff_client.get("/stats", query_string=args)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Please correct the following:" in page and message in page
    assert _uses() == []


def test_filters_narrow_the_figures(city, staff_client, k, exact):
    """Level, neighbourhood and category filters reach the release."""
    k(1)
    north = city["north"].id
    args = {**PERIOD, "level": "city", "category": "mobility", "neighbourhood_ids": north}
    page = staff_client.get("/stats", query_string=args).get_data(as_text=True)
    assert "Whole city" in page
    energy = every_view(staff_client, {**PERIOD, "category": "energy"})
    assert "10" not in NUMBER_CELL.findall(energy)


def test_dashboard_view_is_logged_once_per_filter_set_and_day(city, staff_client, k):
    """Viewing logs a data use; the same view again adds none, other filters add one."""
    staff_client.get("/stats", query_string=PERIOD)
    staff_client.get("/stats", query_string=PERIOD)
    assert len(_uses("dashboard view")) == 1
    staff_client.get("/stats", query_string={**PERIOD, "level": "city"})
    views = _uses("dashboard view")
    assert len(views) == 2 and views[1].resident_count == 2 and views[1].excluded_count == 0  # 1 < k: not published


def _export(client, fmt, **args):
    response = client.get("/stats/export", query_string={**PERIOD, **args, "format": fmt})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "attachment" in response.headers["Content-Disposition"]
    return response


def test_csv_export_streams_and_hides_small_cells(city, staff_client, k):
    """The CSV parses, every non-zero cell is suppressed, and the export is logged once with its residents."""
    response = _export(staff_client, "csv")
    assert response.is_streamed and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows and {"measure", "place", "period_start", "value", "status"} <= set(rows[0])
    for row in rows:
        assert (row["status"] == "suppressed" and row["value"] == "") or float(row["value"]) == 0, row
    [use] = _uses("dashboard export (csv)")
    assert use.resident_count == 1 and use.excluded_count == 0 and use.filters["from"] == "2026-02-23"


def test_xlsx_export_opens_and_hides_small_cells(city, staff_client, k):
    """The workbook opens with openpyxl, describes itself, and no small cell carries a number."""
    response = _export(staff_client, "xlsx")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    assert {"About", "Definitions", "Car-km avoided"} <= set(book.sheetnames)
    about = dict((*row, None)[:2] for row in book["About"].iter_rows(values_only=True))
    rule = "Small-cell rule: fewest residents per published value (k)"
    assert about["Residents included"] is None and about[rule] == 5  # 1 < k
    withheld = 0
    for name in book.sheetnames[1:-1]:
        for row in list(book[name].iter_rows(values_only=True))[2:]:
            assert all(value in (None, 0) for value in row[1:] if not isinstance(value, str)), (name, row)
            withheld += sum(value == "." for value in row[1:])  # the marker, explained under the table
    assert withheld > 0
    assert len(_uses("dashboard export (xlsx)")) == 1


def test_json_export_carries_metadata_and_hides_small_cells(city, staff_client, k):
    """The JSON document has its DCAT-AP-style metadata; every small cell is withheld."""
    document = json.loads(_export(staff_client, "json").data)
    metadata = document["metadata"]
    assert metadata["residents_included"] is None and metadata["residents_left_out_without_consent"] is None
    assert metadata["suppression"]["k"] == 5 and metadata["dct:publisher"]
    for measure in document["measures"].values():
        values = [v for row in measure["rows"] for v in [*row["values"], row["total"]]]
        values += [*measure["column_totals"], measure["grand_total"]]
        assert all(v["value"] in (None, 0) for v in values)
    assert all(v["value"] is None for v in document["retention"].values())
    assert all(c["value"] is None or c["value"] >= 5 for c in document["consents"])
    assert len(_uses("dashboard export (json)")) == 1


def test_zip_export_bundles_csv_and_metadata(city, staff_client, k):
    """The ZIP holds the table and the metadata describing it."""
    bundle = zipfile.ZipFile(io.BytesIO(_export(staff_client, "zip").data))
    assert set(bundle.namelist()) == {"data.csv", "metadata.json"}
    metadata = json.loads(bundle.read("metadata.json"))
    assert metadata["dct:temporal"] == {"dcat:startDate": "2026-02-23", "dcat:endDate": "2026-03-08"}
    rows = list(csv.DictReader(io.StringIO(bundle.read("data.csv").decode())))
    assert len(rows) > 0 and len(_uses("dashboard export (zip)")) == 1


def test_export_with_bad_filters_or_format_logs_nothing(city, staff_client, k):
    """An export with bad filters or an unknown format shows the form errors instead."""
    assert staff_client.get("/stats/export", query_string={**PERIOD, "format": "pdf"}).status_code == 422
    bad = {**PERIOD, "end": "2026-01-01", "format": "csv"}
    assert staff_client.get("/stats/export", query_string=bad).status_code == 422
    assert _uses() == []


def test_history_lists_exports(city, staff_client, k):
    """The export history names who exported, when, the filters and the residents included and left out."""
    _export(staff_client, "csv", level="city")
    page = staff_client.get("/stats/exports").get_data(as_text=True)
    assert "dashboard export (csv)" in page and staff_client.user.pseudonym in page
    assert "2026-02-23 to 2026-03-08, by Week" in page and "<td>City</td>" in page
    # Two residents: below k, so the history does not say how many (two entries could be subtracted).
    assert [cell for cell in NUMBER_CELL.findall(page)] == ["fewer than 5", "0"]
