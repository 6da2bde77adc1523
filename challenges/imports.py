"""CSV upload of many readings or trips at once, with a row-by-row report.

Accepts the shapes utility and mobility portals export: comma or semicolon separated, English or
German headers, decimal point or comma, ISO or German dates. Each row is submitted on its own
savepoint, so one bad row never loses the good ones.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l

from accounts.models import User
from app.clock import city_zone
from app.extensions import db
from challenges import errors
from challenges.models import Enrollment, SubmissionKind, SubmissionStatus
from challenges.scoring import Mode
from challenges.submissions import submit_reading, submit_trip

MAX_ROWS = 5_000
MAX_BYTES = 2 * 1024 * 1024

HEADERS = {
    "read_at": {"read_at", "time", "timestamp", "zeitpunkt", "ablesezeitpunkt", "ablesedatum", "datum/uhrzeit"},
    "meter_kwh": {"meter_kwh", "kwh", "reading", "zählerstand", "zaehlerstand", "zählerstand (kwh)", "wert"},
    "day": {"day", "date", "datum"},
    "mode": {"mode", "verkehrsmittel"},
    "distance_km": {"distance_km", "km", "distance", "strecke", "strecke (km)", "entfernung"},
    "replaced_car": {"replaced_car", "car_replaced", "autofahrt ersetzt", "statt auto"},
    "trip_time": {"trip_time", "departure", "abfahrt", "uhrzeit"},
}
MODES = {
    "walk": Mode.WALK, "zu fuß": Mode.WALK, "zu fuss": Mode.WALK, "fuß": Mode.WALK,
    "bike": Mode.BIKE, "bicycle": Mode.BIKE, "fahrrad": Mode.BIKE, "rad": Mode.BIKE,
    "public_transport": Mode.PUBLIC_TRANSPORT, "public transport": Mode.PUBLIC_TRANSPORT, "bus": Mode.PUBLIC_TRANSPORT,
    "bahn": Mode.PUBLIC_TRANSPORT, "öpnv": Mode.PUBLIC_TRANSPORT, "train": Mode.PUBLIC_TRANSPORT,
    "carpool": Mode.CARPOOL, "fahrgemeinschaft": Mode.CARPOOL, "car": Mode.CAR, "auto": Mode.CAR,
}  # fmt: skip
TRUE_WORDS = {"1", "true", "yes", "y", "ja", "j", "x"}
FALSE_WORDS = {"0", "false", "no", "n", "nein", ""}
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                    "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y")  # fmt: skip
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


@dataclass
class RowResult:
    line: int
    status: str  # accepted | flagged | rejected
    message: str
    submission_id: int | None = None


class RowError(ValueError):
    """A value in a row could not be read."""


def _number(text: str) -> float:
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned and "." in cleaned:  # 1.234,5 (German thousands) or 1,234.5
        cleaned = (
            cleaned.replace(".", "").replace(",", ".")
            if cleaned.rfind(",") > cleaned.rfind(".")
            else cleaned.replace(",", "")
        )
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        raise RowError(_l("“%(value)s” is not a number.", value=text)) from None


def _moment(text: str) -> datetime:
    text = text.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        for pattern in DATETIME_FORMATS:
            try:
                parsed = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        if parsed is None:
            raise RowError(_l("“%(value)s” is not a date and time.", value=text)) from None
    # Times without an offset are the city's local time, as on the meter.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=city_zone())


def _day(text: str) -> date:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise RowError(_l("“%(value)s” is not a date.", value=text))


def _time(text: str) -> time | None:
    if not text.strip():
        return None
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise RowError(_l("“%(value)s” is not a time of day.", value=text)) from None


def _flag(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise RowError(_l("“%(value)s” is neither yes nor no.", value=text))


def _mode(text: str) -> Mode:
    mode = MODES.get(text.strip().lower())
    if mode is None:
        raise RowError(_l("“%(value)s” is not a known mode of transport.", value=text))
    return mode


def _read_rows(content: bytes) -> tuple[list[str], list[tuple[int, dict]]]:
    if len(content) > MAX_BYTES:
        raise errors.SubmissionRefused(_l("The file is larger than 2 MB."), "file", "too_large")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # older Excel exports
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise errors.SubmissionRefused(_l("The file is empty."), "file", "empty")
    names = [_column_name(cell) for cell in header]
    rows = [
        (number, dict(zip(names, cells, strict=False)))
        for number, cells in enumerate(reader, start=2)
        if any(cell.strip() for cell in cells)
    ]
    if len(rows) > MAX_ROWS:
        raise errors.SubmissionRefused(_l("At most 5,000 rows per file, please."), "file", "too_many_rows")
    return names, rows


def _column_name(cell: str) -> str | None:
    cell = cell.strip().lower()
    return next((name for name, aliases in HEADERS.items() if cell in aliases), None)


def _required_columns(kind: SubmissionKind) -> tuple[str, ...]:
    return ("read_at", "meter_kwh") if kind == SubmissionKind.READING else ("day", "mode", "distance_km")


def import_csv(
    enrollment: Enrollment,
    content: bytes,
    *,
    source: str = "csv",
    assisted_by: User | None = None,
    now: datetime | None = None,
) -> list[RowResult]:
    """Submit every row of an uploaded CSV; returns what happened to each row, in order."""
    kind = enrollment.challenge.submission_kind
    names, rows = _read_rows(content)
    missing = [name for name in _required_columns(kind) if name not in names]
    if missing:
        raise errors.SubmissionRefused(
            _l("The file lacks the columns: %(columns)s.", columns=", ".join(missing)), "file", "columns"
        )
    return [_import_row(enrollment, kind, line, row, source, assisted_by, now) for line, row in rows]


def _import_row(enrollment, kind, line, row, source, assisted_by, now) -> RowResult:
    options = {"source": source, "assisted_by": assisted_by, "now": now}
    try:
        with db.session.begin_nested():
            if kind == SubmissionKind.READING:
                read_at, kwh = _moment(row.get("read_at") or ""), _number(row.get("meter_kwh") or "")
                submission, _created = submit_reading(enrollment, read_at, kwh, **options)
            else:
                submission, _created = submit_trip(
                    enrollment,
                    _day(row.get("day") or ""),
                    _mode(row.get("mode") or ""),
                    _number(row.get("distance_km") or ""),
                    _flag(row.get("replaced_car") or ""),
                    trip_time=_time(row.get("trip_time") or ""),
                    **options,
                )
    except RowError as error:
        return RowResult(line, SubmissionStatus.REJECTED.value, str(error.args[0]))
    except errors.SubmissionRefused as error:
        return RowResult(line, SubmissionStatus.REJECTED.value, str(error.message))
    if submission.status == SubmissionStatus.FLAGGED:
        return RowResult(line, submission.status.value, submission.flag_reason or "", submission.id)
    counted = _l("Counted: %(points)d points.", points=submission.points)
    return RowResult(line, submission.status.value, str(counted), submission.id)
