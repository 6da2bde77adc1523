"""The utility's delivery formats, read as a stream: NDJSON or CSV, optionally gzip-compressed.

Each row becomes (row number, meter number, timestamp, register kWh) or (row number, meter number, problem).
Interval values (the 15-minute profile) are never read into a row: only the register value is kept.
"""

import codecs
import csv
import json
import math
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

CHUNK = 64 * 1024
METER_NUMBER_MAX = 32


@dataclass(frozen=True)
class Row:
    number: int
    meter_number: str
    read_at: datetime | None = None
    register_kwh: float | None = None
    problem: str | None = None  # "malformed: …" when the row could not be read


class DecodeError(ValueError):
    """The body is not valid gzip or not UTF-8."""


def chunks(stream, gzip: bool) -> Iterator[bytes]:
    """The body in chunks, decompressed on the fly when gzip-encoded, never whole in memory."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzip else None
    while block := stream.read(CHUNK):
        if inflater is None:
            yield block
            continue
        try:
            # Bounded output per step, so a small "zip bomb" cannot inflate into memory at once.
            data = inflater.decompress(block, CHUNK)
            while data:
                yield data
                data = inflater.decompress(inflater.unconsumed_tail, CHUNK) if inflater.unconsumed_tail else b""
        except zlib.error as error:
            raise DecodeError("The body is not valid gzip.") from error
    if inflater is not None and not inflater.eof:
        raise DecodeError("The gzip body ends early.")


def lines(blocks: Iterable[bytes]) -> Iterator[str]:
    """Text lines from byte chunks, as UTF-8 (a BOM is skipped)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    try:
        for block in blocks:
            pending += decoder.decode(block)
            *complete, pending = pending.split("\n")
            yield from complete
        pending += decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise DecodeError("The body is not UTF-8 text.") from error
    if pending:
        yield pending


def _moment(text) -> datetime:
    if not isinstance(text, str):
        raise ValueError("timestamp must be an ISO 8601 string")
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("timestamp needs a time zone offset")
    return moment.astimezone(UTC)


def _kwh(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("register_kwh must be a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("register_kwh must be a number")
    return number


def _row(number: int, meter, timestamp, register) -> Row:
    meter_number = str(meter).strip() if isinstance(meter, str | int) and not isinstance(meter, bool) else ""
    if not meter_number or len(meter_number) > METER_NUMBER_MAX:
        return Row(number, meter_number[:METER_NUMBER_MAX], problem="malformed: meter_number missing or too long")
    try:
        return Row(number, meter_number, _moment(timestamp), _kwh(register))
    except (ValueError, TypeError) as error:
        return Row(number, meter_number, problem=f"malformed: {error}")


def ndjson_rows(text_lines: Iterable[str]) -> Iterator[Row]:
    """One JSON object a line: meter_number, timestamp, register_kwh (interval_kwh is ignored unread)."""
    number = 0
    for line in text_lines:
        if not line.strip():
            continue
        number += 1
        try:
            item = json.loads(line)
        except ValueError:
            yield Row(number, "", problem="malformed: not a JSON object")
            continue
        if not isinstance(item, dict):
            yield Row(number, "", problem="malformed: not a JSON object")
            continue
        yield _row(number, item.get("meter_number"), item.get("timestamp"), item.get("register_kwh"))


CSV_HEADER = ("meter_number", "timestamp", "register_kwh")


def csv_rows(text_lines: Iterable[str]) -> Iterator[Row]:
    """A header row naming meter_number, timestamp, register_kwh (further columns, the intervals, are ignored);
    a comma or a semicolon separates the cells."""
    iterator = iter(text_lines)
    header_line = next(iterator, "")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header = [cell.strip().lower() for cell in next(csv.reader([header_line], delimiter=delimiter), [])]
    if not set(CSV_HEADER) <= set(header):
        raise DecodeError("The CSV header must name meter_number, timestamp and register_kwh.")
    where = {name: header.index(name) for name in CSV_HEADER}
    number = 0
    for cells in csv.reader((line.rstrip("\r") for line in iterator if line.strip()), delimiter=delimiter):
        number += 1
        if len(cells) < len(header):
            yield Row(number, "", problem="malformed: too few cells")
            continue
        register = (
            cells[where["register_kwh"]].strip().replace(",", ".")
            if delimiter == ";"
            else cells[where["register_kwh"]].strip()
        )
        yield _row(number, cells[where["meter_number"]], cells[where["timestamp"]], register)
