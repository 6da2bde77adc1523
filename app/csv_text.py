"""An uploaded file's bytes as CSV text and rows, or a refusal that says what is wrong with the file.

Shared plumbing: readings and trips (challenges.imports) and the street table (neighbourhoods.streets) are read
by it; each domain turns `UnreadableFile` into its own refusal where it needs one.

Spreadsheets save CSV as UTF-8 (with or without a byte-order mark), as UTF-16 with a byte-order mark
("Unicode text" in Excel) or, German Excel's default, as Windows-1252: all three are read. Anything
else (an image renamed .csv, random bytes, a text in another encoding, lines ended by a lone carriage
return, a cell as long as a book) is refused with a reason instead of being half read.
"""

import codecs
import csv
import io
import re

from flask_babel import lazy_gettext as _l

from app.errors import DomainError

MAX_CELL_CHARS = 1_000  # far beyond any date, number or mode; a longer cell is not a reading or a trip
# Control characters no spreadsheet writes into a CSV (tab, line feed and carriage return are fine).
_BINARY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LONE_CR = re.compile("\r(?!\n)")


NOT_TEXT = _l("This is not a CSV file: it holds binary data. Save the table as CSV and try again.")
LONE_CR = _l("The file's lines end in a way this reader does not know (a lone carriage return). Save it as CSV again.")


class UnreadableFile(DomainError):
    """The upload is not CSV text this reader can read; `rule` says why, the field is always the file."""

    field = "file"


def _refuse(message, rule: str) -> UnreadableFile:
    return UnreadableFile(message, "file", rule)


def decode(content: bytes) -> str:
    """The file's text: UTF-16 with a byte-order mark, UTF-8 or Windows-1252; refused if it is none of them."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode_or_refuse(content, "utf-16")
    elif b"\x00" in content:
        raise _refuse(NOT_TEXT, "binary")
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_or_refuse(content, "cp1252")  # German Excel's "CSV (Trennzeichen-getrennt)"
    if _BINARY.search(text):
        raise _refuse(NOT_TEXT, "binary")
    if _LONE_CR.search(text):
        raise _refuse(LONE_CR, "line_endings")
    return text


def _decode_or_refuse(content: bytes, encoding: str) -> str:
    try:
        return content.decode(encoding)
    except UnicodeDecodeError:
        raise _refuse(
            _l("The file's characters cannot be read. Save it as CSV in UTF-8 (or from Excel as CSV) and try again."),
            "encoding",
        ) from None


def rows(text: str) -> list[list[str]]:
    """Every row of the text, comma, semicolon or tab separated; refused if it is not CSV or a cell is too long."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        read = list(reader)
    except csv.Error:
        raise _refuse(
            _l(
                "Line %(line)d of the file cannot be read as CSV. Check its quotes and try again.", line=reader.line_num
            ),
            "not_csv",
        ) from None
    for number, cells in enumerate(read, start=1):
        if any(len(cell) > MAX_CELL_CHARS for cell in cells):
            raise _refuse(
                _l("A cell in line %(line)d is longer than %(limit)d characters.", line=number, limit=MAX_CELL_CHARS),
                "cell_too_long",
            )
    return read
