"""CSV that is safe to open in a spreadsheet, written line by line so long files can stream."""

import csv
import io
from collections.abc import Iterable, Iterator

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that starts like a formula, quoted so spreadsheets show it; numbers and the rest unchanged."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def csv_lines(header: Iterable, rows: Iterable[Iterable], delimiter: str = ",") -> Iterator[str]:
    """The header and each row as one CSV line, every text cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    yield _line(buffer, writer, header)
    for values in rows:
        yield _line(buffer, writer, values)


def _line(buffer: io.StringIO, writer, values) -> str:
    buffer.seek(0)
    buffer.truncate()
    writer.writerow([safe_cell(value) for value in values])
    return buffer.getvalue()
