"""Exports for people: the reader's language, its decimal sign, and a marker for withheld values.

A CSV comes in two dialects. `rfc4180` is the machine-readable table (comma, decimal point, codes,
no byte order mark, a withheld value left empty); the open-data release and the ZIP bundle always
use it. `excel` is for a spreadsheet in the reader's language: where the decimal sign is a comma
(German), Excel splits a line at `;` and reads "12,5" as a number, and without a byte order mark it
reads UTF-8 as Latin-1 ("SÃ¼dstadt"). Headers, measures, places and statuses are then in the
reader's language, and a withheld value is written as `.`, as German statistics offices mark
"Zahlenwert unbekannt oder geheimzuhalten", with a note under the table. Workbooks always speak
the reader's language and carry the same marker.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from babel.numbers import format_decimal, get_decimal_symbol
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.spreadsheets import csv_lines
from sharing.models import Level
from stats.release import MEASURE_LABELS, Release, Status, Value

RFC4180, EXCEL = "rfc4180", "excel"
DIALECTS = (RFC4180, EXCEL)
MARKER = "."  # a withheld value, as in the tables of German statistics offices
BOM = "\ufeff"
TOTAL = "TOTAL"

HEADERS = (_l("Measure"), _l("Area"), _l("Period from"), _l("Value"), _l("Status"))
STATUS_LABELS = {
    Status.SHOWN: _l("exact"),
    Status.SUPPRESSED: _l("withheld"),
    Status.NOISY: _l("with differential-privacy noise"),
    Status.PERTURBED: _l("with cell-key noise"),
}
MARKER_NOTE = _l(
    ". = value unknown or withheld: it rests on fewer residents than the small-cell rule allows, "
    "or it would reveal such a value through the totals."
)
NOISE_NOTE = _l("Other values carry cell-key noise: totals may differ slightly from the sum of their cells.")
SHEET_NAME_FORBIDDEN = str.maketrans({character: " " for character in "[]:*?/\\"})


@dataclass(frozen=True)
class Dialect:
    """How a CSV is written: `rfc4180` or `excel`, for a reader of `locale` (e.g. "de", "en_GB")."""

    name: str
    locale: str

    @property
    def delimiter(self) -> str:
        """`;` where the decimal sign is a comma, as Excel's list separator is there."""
        return ";" if self.name == EXCEL and get_decimal_symbol(self.locale) == "," else ","


def choose(requested: str | None, locale: str) -> Dialect:
    """The dialect asked for; without one, `excel` for readers whose decimal sign is a comma, else `rfc4180`."""
    if requested not in DIALECTS:
        requested = EXCEL if get_decimal_symbol(locale) == "," else RFC4180
    return Dialect(requested, locale)


def number(value: Value, locale: str) -> str:
    """A value as the reader writes it, without grouping (Excel reads "1234,5"); the marker when withheld."""
    if value.value is None:
        return MARKER
    return format_decimal(round(value.value, 3), locale=locale, group_separator=False, decimal_quantization=False)


def place_name(release: Release, place: str) -> str:
    """A row's name for people: totals and the city-level row in the reader's language."""
    if place == TOTAL:
        return gettext("Total")
    return gettext("Whole city") if release.filters.get("level") == Level.CITY.value else place


def sheet_name(text: str) -> str:
    """A worksheet's name: Excel forbids some characters and allows at most 31."""
    return text.translate(SHEET_NAME_FORBIDDEN)[:31]


Cells = Iterable[tuple[str, str, str, Value]]  # (measure, place, period start or TOTAL, value)


def spreadsheet_lines(release: Release, cells: Cells, dialect: Dialect) -> Iterator[str]:
    """The release's cells as CSV for a spreadsheet in the reader's language, with the byte order mark first.

    Run inside `force_locale(dialect.locale)`: the labels are translated as the lines are written.
    """
    rows = (
        [str(MEASURE_LABELS[measure]), place_name(release, place), gettext("Total") if period == TOTAL else period,
         number(value, dialect.locale), str(STATUS_LABELS[value.status])]
        for measure, place, period, value in cells
    )  # fmt: skip
    lines = csv_lines([str(header) for header in HEADERS], rows, delimiter=dialect.delimiter)
    yield BOM + next(lines)
    yield from lines
    # The notes go under the table after an empty line (the empty header), as in the offices' tables.
    yield from csv_lines([], [[str(MARKER_NOTE)], [str(NOISE_NOTE)]], delimiter=dialect.delimiter)
