"""Values read from the cells of an uploaded CSV file, as utility and mobility portals write them:
decimal point or comma, ISO or German dates, times without an offset in the city's time, yes or no
in English or German. Each kind's columns are read with these (see `challenges.kinds`).
"""

from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l

from app.clock import city_zone

TRUE_WORDS = {"1", "true", "yes", "y", "ja", "j", "x"}
FALSE_WORDS = {"0", "false", "no", "n", "nein", ""}
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                    "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y")  # fmt: skip
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


class RowError(ValueError):
    """A value in a row could not be read."""


def number(text: str) -> float:
    """A decimal number: 1234.5, 1234,5, 1.234,5 or 1,234.5."""
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


def moment(text: str) -> datetime:
    """A date and time, ISO or German; without an offset it is the city's local time."""
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


def day(text: str) -> date:
    """A date, ISO or German."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise RowError(_l("“%(value)s” is not a date.", value=text))


def time_of_day(text: str) -> time | None:
    """A time of day (ISO), or None for an empty cell."""
    if not text.strip():
        return None
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise RowError(_l("“%(value)s” is not a time of day.", value=text)) from None


def flag(text: str) -> bool:
    """Yes or no, in English or German (an empty cell is no)."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise RowError(_l("“%(value)s” is neither yes nor no.", value=text))
