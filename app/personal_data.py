"""What every domain's `personal_data` module shares: the export's links and file formats, and erasing rows.

Every domain answers for the personal data it holds with the same two functions, `export` and
`erase` (listed in `privacy/holders.py`); this module gives them one way to write JSON and CSV, and
one way to delete a resident's rows.
"""

import json
from datetime import date, datetime, time
from enum import Enum
from typing import NamedTuple

from sqlalchemy import delete

from app.extensions import db
from app.spreadsheets import csv_lines


class ExportLinks(NamedTuple):
    """What consent receipts link to: the privacy policy, and the page where a consent is withdrawn."""

    policy_url: str
    withdraw_url: str


def plain(value):
    """A value as JSON and CSV write it: moments and days in ISO 8601 (UTC), enums by their value."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def as_json(data) -> str:
    """Readable JSON (indented, non-ASCII kept) of plain values."""
    return json.dumps(data, default=plain, ensure_ascii=False, indent=2)


def as_csv(fields: tuple[str, ...], rows: list[dict]) -> str:
    """CSV of `rows` with the columns `fields`, empty cells for None, safe to open in a spreadsheet."""
    cells = ([_blank_if_none(plain(row[name])) for name in fields] for row in rows)
    return "".join(csv_lines(fields, cells))


def _blank_if_none(value):
    return "" if value is None else value


def delete_rows(model, *conditions) -> int:
    """Delete the rows of `model` that meet `conditions` in one statement; how many went.

    The session is not searched for loaded copies (synchronize_session=False): erasure mostly deletes
    rows nobody loaded; a caller that holds some expires them (as accounts does with the tokens).
    """
    statement = delete(model).where(*conditions).execution_options(synchronize_session=False)
    return db.session.execute(statement).rowcount
