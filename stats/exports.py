"""Writing a release out: CSV (tidy, streamed line by line), XLSX (a sheet per measure and one of
definitions), JSON, and the DCAT-AP-style metadata that travels with every export."""

import io
import json
from collections.abc import Iterator

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from app.spreadsheets import csv_lines as spreadsheet_lines
from app.spreadsheets import safe_cell
from sharing.models import Level
from stats.dialects import MARKER, MARKER_NOTE, NOISE_NOTE, RFC4180, TOTAL, Dialect, place_name, sheet_name
from stats.dialects import spreadsheet_lines as excel_lines
from stats.forms import GRANULARITY_LABELS, LEVEL_LABELS
from stats.periods import Granularity
from stats.release import DEFINITIONS, MEASURE_LABELS, Release, Status, Value

LICENCE = "https://www.govdata.de/dl-de/by-2-0"  # Datenlizenz Deutschland – Namensnennung – 2.0


def _cells(release: Release) -> Iterator[tuple[str, str, str, Value]]:
    """Every published value as (measure, place, period start or TOTAL, value), totals included."""
    for table in release.measures:
        for place, values in table.rows.items():
            for start, value in zip(release.buckets, values, strict=True):
                yield table.name, place, start.isoformat(), value
            yield table.name, place, TOTAL, table.row_totals[place]
        for start, value in zip(release.buckets, table.column_totals, strict=True):
            yield table.name, TOTAL, start.isoformat(), value
        yield table.name, TOTAL, TOTAL, table.grand_total


def _number(value: Value):
    if value.value is None:
        return ""
    return round(value.value, 3)


def csv_lines(release: Release, dialect: Dialect | None = None) -> Iterator[str]:
    """The release as CSV, one line at a time: measure, place, period_start, value, status.

    `rfc4180` (the default) writes codes and decimal points; `excel` the reader's language (stats.dialects).
    """
    if dialect is not None and dialect.name != RFC4180:
        return excel_lines(release, _cells(release), dialect)
    rows = ([measure, place, period, _number(value), value.status.value]
            for measure, place, period, value in _cells(release))  # fmt: skip
    return spreadsheet_lines(["measure", "place", "period_start", "value", "status"], rows)


def _shown(value: Value):
    """A workbook cell: the number, or the marker where the value is withheld."""
    return MARKER if value.value is None else round(value.value, 3)


def xlsx_bytes(release: Release) -> bytes:
    """The release as a workbook in the reader's language: About, a sheet per measure (places × periods), Definitions.

    A withheld value is the marker `.`, explained under each table.
    """
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    about = book.create_sheet(sheet_name(gettext("About")))
    for key, value in _about_rows(release):
        about.append([str(ABOUT_LABELS.get(key, key)), _about_value(key, value)])
    for table in release.measures:
        sheet = book.create_sheet(sheet_name(str(MEASURE_LABELS[table.name])))
        sheet.append([_bold(sheet, str(MEASURE_LABELS[table.name]), bold)])
        sheet.append([gettext("Area"), *(start.isoformat() for start in release.buckets), gettext("Total")])
        for place, values in table.rows.items():
            label = safe_cell(place_name(release, place))
            sheet.append([label, *(_shown(v) for v in values), _shown(table.row_totals[place])])
        sheet.append([gettext("Total"), *(_shown(v) for v in table.column_totals), _shown(table.grand_total)])
        sheet.append([])
        sheet.append([str(MARKER_NOTE)])
        sheet.append([str(NOISE_NOTE)])
    definitions = book.create_sheet(sheet_name(gettext("Definitions")))
    header = [_bold(definitions, gettext("Code"), bold), _bold(definitions, gettext("Measure"), bold),
              _bold(definitions, gettext("Definition"), bold)]  # fmt: skip
    definitions.append(header)
    for name in DEFINITIONS:
        definitions.append([name, str(MEASURE_LABELS[name]), str(DEFINITIONS[name])])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _about_value(key: str, value):
    """Period length and level by name in the reader's language; everything else as it is."""
    if key == "granularity" and value in set(Granularity):
        return str(GRANULARITY_LABELS[Granularity(value)])
    if key == "level" and value in set(Level):
        return str(LEVEL_LABELS[Level(value)])
    return value


# The About sheet's rows in the reader's language; the parameters of the noise keep their codes.
ABOUT_LABELS = {
    "title": _l("Title"),
    "generated_at": _l("Generated at"),
    "from": _l("From"),
    "to": _l("To"),
    "granularity": _l("Period length"),
    "level": _l("Level"),
    "residents_included": _l("Residents included"),
    "residents_left_out_without_consent": _l("Residents left out without consent"),
    "small_cell_rule_k": _l("Small-cell rule: fewest residents per published value (k)"),
    "cells_suppressed": _l("Values withheld"),
}


def _bold(sheet, text: str, font: Font):
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = font
    return cell


def _about_rows(release: Release) -> list[tuple[str, object]]:
    rows = [
        ("title", release.title),
        ("generated_at", release.generated_at.isoformat()),
        ("from", release.filters.get("from")),
        ("to", release.filters.get("to")),
        ("granularity", release.filters.get("granularity")),
        ("level", release.filters.get("level")),
        ("residents_included", release.residents_included),
        ("residents_left_out_without_consent", release.residents_excluded),
        ("small_cell_rule_k", release.min_residents),
        ("cells_suppressed", release.suppressed_count),
    ]
    if release.noise:
        rows += [(f"noise_{key}", _scalar(value)) for key, value in release.noise.items()]
    if release.perturbation:
        rows += [(f"perturbation_{key}", _scalar(value)) for key, value in release.perturbation.items()]
    return rows


def _scalar(value):
    """A spreadsheet cell holds numbers and text; anything nested is written as JSON."""
    return value if isinstance(value, int | float | str) or value is None else json.dumps(value)


def json_document(release: Release, metadata: dict) -> dict:
    """The release as one JSON document, with its metadata."""
    measures = {}
    for table in release.measures:
        measures[table.name] = {
            "label": str(MEASURE_LABELS[table.name]),
            "rows": [
                {
                    "place": place,
                    "values": [_json_value(v) for v in values],
                    "total": _json_value(table.row_totals[place]),
                }
                for place, values in table.rows.items()
            ],
            "column_totals": [_json_value(v) for v in table.column_totals],
            "grand_total": _json_value(table.grand_total),
        }
    return {
        "metadata": metadata,
        "periods": [start.isoformat() for start in release.buckets],
        "measures": measures,
        "retention": {place: _json_value(value) for place, value in release.retention.items()},
        "consents": [{"purpose": p, "level": lvl, **_json_value(v)} for p, lvl, v in release.consents],
    }


def _json_value(value: Value) -> dict:
    return {"value": None if value.value is None else round(value.value, 3), "status": value.status.value}


def metadata(release: Release, publisher: str, landing_url: str) -> dict:
    """DCAT-AP-style description of the export: what, when, by whom, under which licence, how protected."""
    suppression = {
        "method": "primary small-cell suppression (cells resting on fewer than k residents) and secondary "
        "suppression so that no withheld value can be derived from row, column or grand totals; every other "
        "non-zero value is perturbed by the cell key method (see 'perturbation')",
        "k": release.min_residents,
        "cells_suppressed": release.suppressed_count,
    }
    return {
        "@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/"},
        "@type": "dcat:Dataset",
        "dct:title": release.title,
        "dct:description": "Participation in Civiquest's energy and mobility challenges, aggregated "
        f"per {release.filters.get('level')} and {release.filters.get('granularity')}; only residents who "
        "consented to the purpose 'municipal statistics' at this level are counted.",
        "dct:temporal": {"dcat:startDate": release.filters.get("from"), "dcat:endDate": release.filters.get("to")},
        "dct:issued": release.generated_at.isoformat(),
        "dct:publisher": publisher,
        "dct:license": LICENCE,
        "dcat:landingPage": landing_url,
        "filters": release.filters,
        "residents_included": release.residents_included,
        "residents_left_out_without_consent": release.residents_excluded,
        "definitions": {name: str(text) for name, text in DEFINITIONS.items()},
        "suppression": suppression,
        "noise": release.noise,
        "perturbation": release.perturbation,
        "status_values": {status.value: _status_meaning(status) for status in Status},
    }


def _status_meaning(status: Status) -> str:
    return {
        Status.SHOWN: "the exact aggregate",
        Status.SUPPRESSED: "withheld to protect individuals",
        Status.NOISY: "the aggregate with differential-privacy noise added",
        Status.PERTURBED: "the aggregate with cell-key noise added: the same residents always get the same noise, "
        "so subtracting two exports does not reveal a hidden value or a person's contribution",
    }[status]


def json_bytes(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode()
