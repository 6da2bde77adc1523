"""The table of streets per neighbourhood: an admin replaces it from a CSV file, residents look their street up in it.

The file has a heading row naming three columns, in any order, in English or German: street (Straße),
postcode (PLZ) and neighbourhood (Stadtteil). A street that crosses neighbourhoods has one row per postcode.
The upload replaces the whole table in one transaction, and only if every row is right: a report lists each
wrong row, and the table in use stays as it was.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import contains_eager

from app import csv_text
from app.errors import DomainError
from app.extensions import db
from neighbourhoods import errors
from neighbourhoods.models import Neighbourhood, Street
from neighbourhoods.street_names import postcode_or_none, street_key, without_house_number

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000  # a city of a million people has about 10,000 street names; one row per postcode of each
MAX_NAME = 120
MIN_PREFIX = 3  # fewer letters than this match too many streets to help
MAX_CANDIDATES = 30
RATE_LIMIT_SCOPE = "street-lookup"  # the pages' and the API's lookups count against one limit per client address
HEADINGS = {
    "street": {"street", "streetname", "strasse", "strassenname", "strasse_name", "str"},
    "postcode": {"postcode", "postalcode", "zip", "zipcode", "plz", "postleitzahl"},
    "neighbourhood": {"neighbourhood", "neighborhood", "stadtteil", "ortsteil", "quartier", "viertel", "bezirk"},
}


@dataclass
class Lookup:
    """What a lookup found: the streets that match, and the neighbourhoods they lie in (alphabetically)."""

    streets: list[Street] = field(default_factory=list)

    @property
    def neighbourhoods(self) -> list[Neighbourhood]:
        found = {street.neighbourhood_id: street.neighbourhood for street in self.streets}
        return sorted(found.values(), key=lambda n: n.name)

    @property
    def neighbourhood(self) -> Neighbourhood | None:
        """The one neighbourhood every match lies in, or None when there are none or several."""
        places = self.neighbourhoods
        return places[0] if len(places) == 1 else None


def lookup(street: str | None, postcode: str | None) -> Lookup:
    """The streets matching a typed street (house number and spelling aside) and/or postcode."""
    street, postcode = (street or "").strip()[:MAX_NAME], (postcode or "").strip()
    if not street and not postcode:
        raise errors.LookupNeedsInput()
    code = postcode_or_none(postcode) if postcode else None
    if postcode and code is None:
        raise errors.NotAPostcode()
    key = street_key(without_house_number(street)) if street else ""
    query = (
        select(Street)
        .join(Street.neighbourhood)
        .options(contains_eager(Street.neighbourhood))  # each candidate shows its neighbourhood: one query
        .order_by(Street.name, Street.postcode)
        .limit(MAX_CANDIDATES)
    )
    if code:
        query = query.where(Street.postcode == code)
    if not street:
        return Lookup(list(db.session.scalars(query)))
    if not key:  # only punctuation typed: it names no street, and must not list them all
        return Lookup()
    exact = list(db.session.scalars(query.where(Street.name_key == key)))
    if exact or len(key) < MIN_PREFIX:
        return Lookup(exact)
    # The key holds only letters and digits, so it carries no LIKE wildcards.
    return Lookup(list(db.session.scalars(query.where(Street.name_key.startswith(key)))))


def street_count() -> int:
    return db.session.scalar(select(func.count(Street.id))) or 0


def replace_streets(content: bytes) -> int:
    """Replace the whole street table by the file's rows if every one is right; returns how many were stored."""
    if len(content) > MAX_BYTES:
        raise DomainError(_l("The file is larger than 5 MB."), "file", "too_large")
    table = csv_text.rows(csv_text.decode(content))
    if not table or not any(cell.strip() for cell in table[0]):
        raise DomainError(_l("The file is empty."), "file", "empty")
    columns = _columns(table[0])
    lines = [(number, cells) for number, cells in enumerate(table[1:], start=2) if any(c.strip() for c in cells)]
    if len(lines) > MAX_ROWS:
        raise DomainError(_l("At most 50,000 rows per file, please."), "file", "too_many_rows")
    rows = _checked_rows(lines, columns)
    _lock_table()
    db.session.execute(delete(Street))
    if rows:
        db.session.execute(insert(Street), rows)
    db.session.flush()
    return len(rows)


def _columns(headings: list[str]) -> dict[str, int]:
    found = {}
    for index, heading in enumerate(headings):
        name = _heading_key(heading)
        for column, names in HEADINGS.items():
            if name in names and column not in found:
                found[column] = index
    if len(found) < len(HEADINGS):
        raise DomainError(
            _l(
                "The first line must name the columns street, postcode and neighbourhood "
                "(or Straße, PLZ and Stadtteil)."
            ),
            "file",
            "headings",
        )
    return found


def _heading_key(heading: str) -> str:
    return heading.strip().casefold().replace(" ", "").replace("-", "").replace("ß", "ss")


def _checked_rows(lines: list[tuple[int, list[str]]], columns: dict[str, int]) -> list[dict]:
    named = db.session.execute(select(Neighbourhood.id, Neighbourhood.name))
    places = {" ".join(name.split()).casefold(): id_ for id_, name in named}
    problems, rows, seen = [], [], {}
    for number, cells in lines:
        cell = {column: (cells[index].strip() if index < len(cells) else "") for column, index in columns.items()}
        row, problem = _checked_row(cell, places)
        if problem is None:
            first = seen.setdefault((row["name_key"], row["postcode"]), number)
            if first != number:
                problem = _l("Line %(line)d already gives this street with this postcode.", line=first)
        if problem is not None:
            problems.append((number, str(problem)))
        else:
            rows.append(row)
    if problems:
        raise errors.StreetTableRefused(problems)
    return rows


def _checked_row(cell: dict[str, str], places: dict[str, int]):
    """The row to store, or a message saying what is wrong with it."""
    name, typed_code, place = cell["street"], cell["postcode"], cell["neighbourhood"]
    if not name or not street_key(name):
        return None, _l("The street is missing.")
    if len(name) > MAX_NAME:
        return None, _l("The street's name is longer than %(limit)d characters.", limit=MAX_NAME)
    code = postcode_or_none(typed_code)
    if code is None:
        return None, _l("“%(value)s” is not a postcode: five digits, for example 79098.", value=typed_code)
    neighbourhood_id = places.get(" ".join(place.split()).casefold())
    if neighbourhood_id is None:
        return None, _l("There is no neighbourhood called “%(name)s”. Add it first, or correct the name.", name=place)
    return {"name": name, "name_key": street_key(name), "postcode": code, "neighbourhood_id": neighbourhood_id}, None


def _lock_table() -> None:
    # Two uploads at once would both delete and then both insert, and the second would break the unique
    # constraint. PostgreSQL: this mode lets lookups read on but makes the second upload wait for the first.
    # SQLite has one writer at a time already.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE street IN SHARE ROW EXCLUSIVE MODE"))
