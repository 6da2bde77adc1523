"""CSV upload of many readings or trips at once, with a row-by-row report.

Accepts the shapes utility and mobility portals export: comma or semicolon separated, English or
German headers, decimal point or comma, ISO or German dates. The challenge's kind of submission says
which columns it reads and how (`challenges.kinds`). Each row is submitted on its own savepoint, so
one bad row never loses the good ones.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from accounts.models import User
from app import csv_text
from app.extensions import db
from challenges import errors, kinds
from challenges.csv_cells import RowError
from challenges.kinds import Kind
from challenges.models import Enrollment, SubmissionStatus

MAX_ROWS = 5_000
MAX_BYTES = 2 * 1024 * 1024


@dataclass
class RowResult:
    line: int
    status: str  # accepted | flagged | rejected
    message: str
    submission_id: int | None = None


def _read_rows(content: bytes, kind: Kind) -> tuple[list[str], list[tuple[int, dict]]]:
    if len(content) > MAX_BYTES:
        raise errors.SubmissionRefused(_l("The file is larger than 2 MB."), "file", "too_large")
    try:
        table = csv_text.rows(csv_text.decode(content))
    except csv_text.UnreadableFile as unreadable:
        raise errors.SubmissionRefused(unreadable.message, "file", unreadable.rule) from None
    if not table or not table[0]:
        raise errors.SubmissionRefused(_l("The file is empty."), "file", "empty")
    names = [_column_name(kind, cell) for cell in table[0]]
    rows = [
        (number, dict(zip(names, cells, strict=False)))
        for number, cells in enumerate(table[1:], start=2)
        if any(cell.strip() for cell in cells)
    ]
    if len(rows) > MAX_ROWS:
        raise errors.SubmissionRefused(_l("At most 5,000 rows per file, please."), "file", "too_many_rows")
    return names, rows


def _column_name(kind: Kind, cell: str) -> str | None:
    cell = cell.strip().lower()
    return next((name for name, headings in kind.columns.items() if cell in headings), None)


def import_csv(
    enrollment: Enrollment,
    content: bytes,
    *,
    source: str = "csv",
    assisted_by: User | None = None,
    now: datetime | None = None,
) -> list[RowResult]:
    """Submit every row of an uploaded CSV; returns what happened to each row, in order."""
    kind = kinds.of_challenge(enrollment.challenge)
    names, rows = _read_rows(content, kind)
    missing = [name for name in kind.required_columns if name not in names]
    if missing:
        raise errors.SubmissionRefused(
            _l("The file lacks the columns: %(columns)s.", columns=", ".join(missing)), "file", "columns"
        )
    return [_import_row(enrollment, kind, line, row, source, assisted_by, now) for line, row in rows]


def _import_row(enrollment, kind: Kind, line, row, source, assisted_by, now) -> RowResult:
    options = {"source": source, "assisted_by": assisted_by, "now": now}
    try:
        with db.session.begin_nested():
            submission, _created = kind.submit(enrollment, kind.row_values(row), **options)
    except RowError as error:
        return RowResult(line, SubmissionStatus.REJECTED.value, str(error.args[0]))
    except errors.SubmissionRefused as error:
        return RowResult(line, SubmissionStatus.REJECTED.value, str(error.message))
    if submission.status == SubmissionStatus.FLAGGED:
        return RowResult(line, submission.status.value, submission.flag_reason or "", submission.id)
    counted = ngettext("Counted: %(num)d point.", "Counted: %(num)d points.", submission.points)
    return RowResult(line, submission.status.value, str(counted), submission.id)
