"""The street table: uploaded as CSV (replaced whole, or not at all), looked up as residents type."""

import codecs
import threading

import pytest
from sqlalchemy import select

from app.csv_text import UnreadableFile
from app.errors import DomainError
from app.extensions import db
from neighbourhoods import errors, streets
from neighbourhoods.models import Street
from neighbourhoods.street_names import street_key, without_house_number

TABLE = (
    "Straße;PLZ;Stadtteil\n"
    "Hauptstraße;79098;Altstadt\n"
    "Bahnhofstr.;79098;Altstadt\n"
    "Bahnhofstraße;79106;Nordend\n"
    "Mühlenweg;79106;Nordend\n"
    "Straße des 17. Juni;79110;Altstadt\n"
)


@pytest.fixture
def city(app, make_neighbourhood):
    """Altstadt and Nordend with the table above loaded."""
    places = make_neighbourhood("Altstadt"), make_neighbourhood("Nordend")
    with app.app_context():
        streets.replace_streets(TABLE.encode())
        db.session.commit()
    return places


def stored(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(s.name, s.postcode) for s in db.session.scalars(select(Street).order_by(Street.name, Street.postcode))]


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Hauptstraße 12a", "hauptstrasse"),
        ("HAUPTSTRASSE", "hauptstrasse"),
        ("Hauptstr. 12-14", "hauptstrasse"),
        ("Haupt-Str", "hauptstrasse"),
        ("  haupt straße ,  3 ", "hauptstrasse"),
        ("Muehlenweg 5", "muehlenweg"),
        ("Strandweg", "strandweg"),  # "Str" at a word's start is no abbreviation
        ("Straße des 17. Juni 4", "strassedes17juni"),
    ],
)
def test_street_keys_match_the_ways_residents_write_a_street(typed, key):
    """Case, "ß"/"ss", "Str."/"Straße", umlauts/"ue", hyphens and a trailing house number do not matter."""
    assert street_key(without_house_number(typed)) == key


@pytest.mark.parametrize(
    ("street", "postcode", "expected"),
    [
        ("Hauptstr. 7", "", "Altstadt"),
        ("hauptstrasse", "79098", "Altstadt"),
        ("Muehlenweg", "", "Nordend"),
        ("Bahnhofstraße 3", "79106", "Nordend"),
        ("", "79110", "Altstadt"),
        ("Straße des 17. Juni", "", "Altstadt"),
        ("Mühl", "", "Nordend"),  # the beginning of a name is enough when nothing matches exactly
    ],
)
def test_a_lookup_finds_the_one_neighbourhood(app, city, street, postcode, expected):
    """A street (as typed), a postcode or both that lie in one neighbourhood name it."""
    with app.app_context():
        assert streets.lookup(street, postcode).neighbourhood.name == expected


def test_a_street_across_neighbourhoods_lists_each_postcode(app, city):
    """Bahnhofstraße has rows in two neighbourhoods: no single answer, both candidates with their postcodes."""
    with app.app_context():
        found = streets.lookup("Bahnhofstrasse", "")
        assert found.neighbourhood is None
        assert [(s.name, s.postcode, s.neighbourhood.name) for s in found.streets] == [
            ("Bahnhofstr.", "79098", "Altstadt"),
            ("Bahnhofstraße", "79106", "Nordend"),
        ]


@pytest.mark.parametrize(("street", "postcode"), [("Nirgendwo", ""), ("Hauptstraße", "79106"), ("Ha", "")])
def test_a_lookup_without_match_finds_nothing(app, city, street, postcode):
    """An unknown street, a street under another postcode, two letters: no neighbourhood, no candidates."""
    with app.app_context():
        found = streets.lookup(street, postcode)
        assert (found.neighbourhood, found.streets) == (None, [])


@pytest.mark.parametrize(
    ("street", "postcode", "error"),
    [
        ("", "", errors.LookupNeedsInput),
        ("   ", " ", errors.LookupNeedsInput),
        ("Hauptstraße", "7909x", errors.NotAPostcode),
        ("Hauptstraße", "790981", errors.NotAPostcode),
        ("", "%_%", errors.NotAPostcode),
    ],
)
def test_a_lookup_refuses_input_it_cannot_use(app, city, street, postcode, error):
    """Nothing typed, or a postcode that is not five digits, is an error on the field."""
    with app.app_context(), pytest.raises(error):
        streets.lookup(street, postcode)


def test_wildcards_typed_as_a_street_match_nothing(app, city):
    """ "%" and "_" are not LIKE patterns: they are dropped from the key, and what remains must match."""
    with app.app_context():
        assert streets.lookup("%%%", "").streets == []
        assert streets.lookup("Haupt%", "").neighbourhood.name == "Altstadt"


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode(),
        lambda text: codecs.BOM_UTF8 + text.encode(),
        lambda text: text.replace(";", ",").encode("cp1252"),
        lambda text: text.replace("\n", "\r\n").encode("utf-16"),
    ],
)
def test_the_table_is_read_with_or_without_bom_comma_or_semicolon(app, make_neighbourhood, encode):
    """UTF-8 with or without BOM, German Excel's Windows-1252 with commas, UTF-16: the same five rows."""
    make_neighbourhood("Altstadt"), make_neighbourhood("Nordend")
    with app.app_context():
        assert streets.replace_streets(encode(TABLE)) == 5
        db.session.commit()
    assert ("Straße des 17. Juni", "79110") in stored(app)


def test_english_headings_in_any_order_and_a_lost_leading_zero(app, make_neighbourhood):
    """Columns are found by their headings; "1067" (Excel dropped the zero) is stored as 01067."""
    make_neighbourhood("Altstadt")
    with app.app_context():
        streets.replace_streets(b"Neighbourhood,Postcode,Street\n altstadt ,1067,Schlossstrasse\n")
        db.session.commit()
    assert stored(app) == [("Schlossstrasse", "01067")]


def test_an_upload_replaces_the_whole_table(app, city):
    """The new file's rows are the table: rows left out of it are gone."""
    with app.app_context():
        assert streets.replace_streets("Straße;PLZ;Stadtteil\nNeue Straße;79098;Altstadt\n".encode()) == 1
        db.session.commit()
    assert stored(app) == [("Neue Straße", "79098")]


def test_every_wrong_row_is_reported_and_nothing_is_changed(app, city):
    """Missing street, bad postcode, unknown neighbourhood, a duplicate in another spelling: each with its line."""
    content = (
        "Straße;PLZ;Stadtteil\n"
        "Neue Straße;79098;Altstadt\n"
        ";79098;Altstadt\n"
        "Ringstraße;7909;Altstadt\n"
        "Ringstraße;79O98;Altstadt\n"
        "Ringstraße;79098;Atlantis\n"
        "Neue Str.;79098;Nordend\n"
        "\n"
        f"{'x' * 121};79098;Altstadt\n"
    ).encode()
    with app.app_context(), pytest.raises(errors.StreetTableRefused) as refused:
        streets.replace_streets(content)
    problems = dict(refused.value.problems)
    assert sorted(problems) == [3, 5, 6, 7, 9]
    assert problems[3] == "The street is missing."
    assert "“79O98” is not a postcode" in problems[5]
    assert "“Atlantis”" in problems[6]
    assert problems[7] == "Line 2 already gives this street with this postcode."
    assert "longer than 120" in problems[9]
    assert len(stored(app)) == 5  # the table in use is untouched


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "empty"),
        (b"Strasse;Ort\nHauptstrasse;Altstadt\n", "headings"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b"Stra\x81e;PLZ;Stadtteil\n", "encoding"),
    ],
)
def test_files_that_are_no_street_table_are_refused(app, city, content, rule):
    """An empty file, missing headings, binary data and an unreadable encoding are refused on the file field."""
    with app.app_context(), pytest.raises(DomainError) as refused:
        streets.replace_streets(content)
    assert (refused.value.rule, refused.value.field) == (rule, "file")
    assert isinstance(refused.value, UnreadableFile) == (rule in {"binary", "encoding"})


def test_two_uploads_at_once_leave_one_whole_table(app, make_neighbourhood):
    """Two admins replacing the table at the same moment: both succeed, one after the other, no mixed table."""
    make_neighbourhood("Altstadt")
    files = [
        "Straße;PLZ;Stadtteil\n" + "".join(f"Weg {letter}{n};79098;Altstadt\n" for n in range(300)) for letter in "AB"
    ]
    failures = []

    def upload(content: str) -> None:
        with app.app_context():
            try:
                streets.replace_streets(content.encode())
                db.session.commit()
            except Exception as error:
                failures.append(error)

    threads = [threading.Thread(target=upload, args=(content,)) for content in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    names = {name.split()[1][0] for name, _code in stored(app)}
    assert failures == [] and len(stored(app)) == 300 and len(names) == 1
