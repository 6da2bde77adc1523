"""The number fields every form shares: numbers read as people write them in English and German.

Each case fills a small form inside a request in the given language, validates it and reads back the
value, the errors and the rendered input, so nothing here needs a page or the database.
"""

import re
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms.validators import InputRequired, Optional

from app.forms import InRange, LocaleDecimalField, LocaleIntegerField

ROOT = Path(__file__).resolve().parents[1]
NUMBER_FIELD = re.compile(r"\b(Integer|Float|Decimal|IntegerRange|DecimalRange)Field\b")  # WTForms' own
NUMBER_INPUT = re.compile(r"type=[\"']number[\"']")
PACKAGES = ("app", "accounts", "neighbourhoods", "notifications", "challenges", "leaderboards", "rewards",
            "sharing", "stats", "nudges", "admin", "privacy", "demo")  # fmt: skip

HINT = {
    "en": "Write the number like 10,018.5 or 10018.5.",
    "de": "Schreiben Sie die Zahl in der Form 10.018,5 oder 10018,5.",
}
WHOLE_HINT = {
    "en": "Write a whole number, like 10,018 or 10018.",
    "de": "Schreiben Sie eine ganze Zahl, etwa 10.018 oder 10018.",
}


class Numbers(FlaskForm):
    class Meta:
        csrf = False

    amount = LocaleDecimalField("Amount", validators=[Optional(), InRange(min=0, max=1_000_000)])
    count = LocaleIntegerField("Count", validators=[Optional(), InRange(min=1, max=12)])
    needed = LocaleDecimalField("Needed", validators=[InputRequired()])


@pytest.fixture
def fill(app):
    """fill(language, amount=…, count=…) -> (valid, data, errors, rendered inputs), read inside the request."""

    def send(language: str, data=None, **fields):
        formdata = MultiDict(data) if data is not None else MultiDict({"needed": "1", **fields})
        with app.test_request_context(headers={"Accept-Language": language}):
            form = Numbers(formdata)
            valid = form.validate()
            errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
            rendered = {name: str(form[name]()) for name in ("amount", "count", "needed")}
            return valid, {name: form[name].data for name in ("amount", "count", "needed")}, errors, rendered

    return send


@pytest.mark.parametrize(
    ("language", "text", "value"),
    [
        ("de", "10.018,5", 10018.5),
        ("de", "10018,5", 10018.5),
        ("de", "0,5", 0.5),
        ("de", "1.000.000", 1_000_000.0),
        ("de", "10.018", 10018.0),  # German groups with a dot
        ("de", "-0", 0.0),
        ("en", "10,018.5", 10018.5),
        ("en", "10018.5", 10018.5),
        ("en", "0.5", 0.5),
        ("en", "1,000,000", 1_000_000.0),
        ("en", "10.018", 10.018),
        ("en", "+12", 12.0),
    ],
)
def test_a_decimal_is_read_as_the_language_writes_it(fill, language, text, value):
    """German reads a decimal comma and dots between thousands; English the other way round."""
    valid, data, errors, _rendered = fill(language, amount=text)
    assert (valid, errors) == (True, {})
    assert data["amount"] == value and isinstance(data["amount"], float)
    assert str(data["amount"]) == str(value)  # -0 comes back as 0


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "10,018.5"),  # English grouping in German
        ("de", "10018.5"),  # a decimal point in German
        ("de", "1.5"),
        ("de", "10.01"),  # a dot in the wrong place for thousands
        ("de", "1.00.000"),
        ("de", "12.34.567,8"),
        ("en", "10.018,5"),  # German grouping in English
        ("en", "10018,5"),  # a decimal comma in English
        ("en", "1,5"),
        ("en", "1,00,000"),
        ("en", "100,00"),
        ("en", "1,0000"),
    ],
)
def test_grouping_in_the_wrong_place_is_refused_with_the_languages_example(fill, language, text):
    """A number written in the other language's way, or grouped wrongly, is refused, never guessed."""
    valid, data, errors, rendered = fill(language, amount=text)
    assert not valid
    assert data["amount"] is None
    assert errors == {"amount": [HINT[language]]}
    assert f'value="{text}"' in rendered["amount"]  # what was typed stays, to be corrected


MALFORMED = [
    "10.0.1",
    "1,2,3",
    "abc",
    "12a",
    "10.018,5 kWh",
    "1e5",
    "1E5",
    "NaN",
    "nan",
    "Infinity",
    "inf",
    "-inf",
    "1_000",
    "0x10",
    "--5",
    "5-",
    "+-5",
    "1 000",
    "1\u00a0000",
    "١٢٣",  # Arabic-Indic digits, which Python's Decimal would read
    "１２",  # full-width digits
    "10\x00018,5",
    "\x00",
    ".",
    ",",
    "-",
    "'",
    "1'000",
    "½",
    "1" * 41,
    "9" * 10_000,
    "1," * 5_000,
]


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("text", MALFORMED, ids=lambda text: repr(text[:20]))
def test_a_malformed_number_is_refused_with_an_example(fill, language, text):
    """Letters, units, exponents, NaN, other digits, NUL bytes and very long input: one clear message, no 500."""
    valid, data, errors, _rendered = fill(language, amount=text)
    assert not valid
    assert data["amount"] is None
    assert errors == {"amount": [HINT[language]]}


@pytest.mark.parametrize(
    ("language", "text", "value"),
    [("de", "3", 3), ("de", "12", 12), ("en", " 7 ", 7), ("de", "+1", 1), ("en", "+12", 12)],
)
def test_a_whole_number_is_read_as_an_int(fill, language, text, value):
    """Whole numbers come back as int, grouped or not."""
    valid, data, errors, _rendered = fill(language, count=text)
    assert (valid, errors) == (True, {})
    assert data["count"] == value and isinstance(data["count"], int)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        *[("de", text) for text in ("2,5", "2.5", "4,0", "1,000", "1.0.1", "1e1", "12,")],
        *[("en", text) for text in ("2.5", "2,5", "4.0", "1.000", "two", "5.")],
    ],
)
def test_a_fraction_or_malformed_text_where_a_whole_number_belongs_is_refused(fill, language, text):
    """A household of 2,5, any decimal mark (1.000 is a thousand only in German) or "two" is refused with an example."""
    valid, data, errors, _rendered = fill(language, count=text)
    assert not valid
    assert data["count"] is None
    assert errors == {"count": [WHOLE_HINT[language]]}


@pytest.mark.parametrize(
    ("language", "fields", "message"),
    [
        ("en", {"amount": "-5"}, {"amount": ["Number must be between 0 and 1,000,000."]}),
        ("de", {"amount": "-0,01"}, {"amount": ["Die Zahl muss zwischen 0 und 1.000.000 liegen."]}),
        ("de", {"amount": "1.000.000,5"}, {"amount": ["Die Zahl muss zwischen 0 und 1.000.000 liegen."]}),
        ("en", {"amount": "9" * 40}, {"amount": ["Number must be between 0 and 1,000,000."]}),
        ("en", {"count": "0"}, {"count": ["Number must be between 1 and 12."]}),
        ("en", {"count": "-3"}, {"count": ["Number must be between 1 and 12."]}),
        ("de", {"count": "1.000"}, {"count": ["Die Zahl muss zwischen 1 und 12 liegen."]}),
        ("en", {"count": "9" * 40}, {"count": ["Number must be between 1 and 12."]}),
    ],
)
def test_a_number_out_of_range_names_the_bounds_as_the_language_writes_them(fill, language, fields, message):
    """Negative where not allowed, or too large: refused, the bounds grouped as the reader groups numbers."""
    valid, _data, errors, _rendered = fill(language, **fields)
    assert not valid
    assert errors == message


@pytest.mark.parametrize("language", ["en", "de"])
def test_whitespace_around_a_number_is_ignored_and_whitespace_alone_is_no_input(fill, language):
    """Spaces, tabs and newlines around a number do not matter; a blank field is empty, not an error or zero."""
    valid, data, errors, _rendered = fill(language, amount=" \t12\n", count="   ")
    assert (valid, errors) == (True, {})
    assert data["amount"] == 12.0 and data["count"] is None


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_a_required_number_left_blank_is_required(fill, text):
    """Blank or only whitespace in a required number field asks for it, and nothing further."""
    valid, data, errors, _rendered = fill("en", data={"needed": text})
    assert not valid
    assert data["needed"] is None
    assert errors == {"needed": ["This field is required."]}


def test_an_uploaded_file_in_a_number_field_is_refused(fill):
    """A file sent where a number belongs is malformed input, not a crash."""
    upload = FileStorage(stream=None, filename="meter.csv")
    valid, data, errors, _rendered = fill("en", data=[("needed", "1"), ("amount", upload)])
    assert not valid
    assert data["amount"] is None
    assert errors == {"amount": [HINT["en"]]}


def test_number_inputs_are_text_inputs_that_open_the_number_keyboard(fill):
    """A text input, so no browser drops or misreads a decimal comma, with the keypad that fits."""
    _valid, _data, _errors, rendered = fill("de")
    for name, mode in (("amount", "decimal"), ("count", "numeric"), ("needed", "decimal")):
        assert 'type="text"' in rendered[name] and f'inputmode="{mode}"' in rendered[name]
        assert "min=" not in rendered[name] and "max=" not in rendered[name] and 'type="number"' not in rendered[name]


@pytest.mark.parametrize(
    ("language", "stored", "shown"),
    [
        ("de", 10018.5, "10.018,5"),
        ("en", 10018.5, "10,018.5"),
        ("de", 60.0, "60"),
        ("en", 0.25, "0.25"),
        ("de", 5000, "5.000"),
        ("en", 234567.125, "234,567.125"),
    ],
)
def test_a_stored_number_is_shown_in_the_readers_format_and_reads_back_the_same(app, language, stored, shown):
    """An edit form shows a stored value as the reader writes numbers, every digit kept; sending it back keeps it."""
    with app.test_request_context(headers={"Accept-Language": language}):
        form = Numbers(data={"amount": stored})
        assert f'value="{shown}"' in str(form.amount())
        sent = Numbers(MultiDict({"amount": shown, "needed": "1"}))
        assert sent.validate()
        assert sent.amount.data == stored


def test_no_form_or_template_uses_a_browser_number_input():
    """Every number a person types goes through the locale fields: no WTForms number field, no type="number"."""
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*"):
            if path.suffix == ".py" and NUMBER_FIELD.search(path.read_text()):
                offenders.append(str(path.relative_to(ROOT)))
            if path.suffix == ".html" and NUMBER_INPUT.search(path.read_text()):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
