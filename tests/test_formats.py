"""Local formats: English as en_GB unless the city configures otherwise, German as German, on real pages."""

from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale, format_date, refresh

from accounts.models import Role
from app.extensions import db
from challenges import display, participation
from challenges.errors import SubmissionRefused
from challenges.kinds.reading import submit_reading
from tests.challenges.conftest import NOW, make_challenge  # noqa: F401

MOMENT = datetime(2027, 3, 7, 14, 5, tzinfo=UTC)  # 15:05 in Berlin


def _formats(app, language: str) -> dict[str, str]:
    """What the display helpers write for a visitor whose browser asks for `language`."""
    with app.test_request_context(headers={"Accept-Language": language}):
        refresh()
        return {"date": format_date(date(2027, 3, 7)), "day": display.day(date(2027, 3, 7)),
                "when": display.when(MOMENT), "amount": display.amount(10000.0)}  # fmt: skip


def test_english_formats_as_en_gb_by_default(app):
    """English dates read day-month-year with 24-hour times; the number is grouped, not a raw float."""
    formats = _formats(app, "en")
    assert formats["date"] == "7 Mar 2027" and formats["day"] == "Sun, 7 Mar 2027"
    assert formats["when"] == "Sun, 7 Mar 2027, 15:05" and formats["amount"] == "10,000"


def test_german_formats_as_german(app):
    """German dates and a decimal comma."""
    formats = _formats(app, "de")
    assert formats["date"] == "07.03.2027" and formats["when"].endswith("7. März 2027, 15:05")
    assert formats["amount"] == "10.000"


def test_a_city_may_format_english_otherwise(app, monkeypatch):
    """ENGLISH_LOCALE chooses the English formats; the messages stay English."""
    monkeypatch.setitem(app.config, "ENGLISH_LOCALE", "en_US")
    formats = _formats(app, "en")
    assert formats["date"] == "Mar 7, 2027" and formats["when"] == "Sun, Mar 7, 2027, 3:05\u202fPM"


@pytest.mark.parametrize("language", ["en", "de"])
def test_pages_keep_the_language_code(app, make_user, login, language):
    """The page's lang attribute and the language menu name the language ("en"), not the format locale."""
    client = app.test_client()
    login(client, make_user(role=Role.STAFF, language=language))
    page = client.get("/me").get_data(as_text=True)
    assert f'<html lang="{language}"' in page
    assert f'<option value="{language}" lang="{language}" selected>' in page


@pytest.mark.usefixtures("ctx")
def test_a_refusal_in_german_writes_a_decimal_comma(make_challenge, make_user):  # noqa: F811
    """Refusing a falling meter reading names the last one as a German reader writes it: "5.901,5 kWh"."""
    enrollment = participation.join(make_challenge(), db.session.merge(make_user()), now=NOW)
    submit_reading(enrollment, NOW - timedelta(days=2), 5901.5, now=NOW)
    for locale, expected in (("de", "Ihr letzter lag bei 5.901,5 kWh."), ("en_GB", "last one was 5,901.5 kWh.")):
        with force_locale(locale):
            with pytest.raises(SubmissionRefused) as refused:
                submit_reading(enrollment, NOW - timedelta(days=1), 5000.0, now=NOW)
            assert str(refused.value.message).endswith(expected)  # the message is lazy: read in the same locale
