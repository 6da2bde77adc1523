"""Numbers on the leaderboard pages, in the reader's locale, formatted fast.

A page shows a few hundred places and scores; Babel's format_decimal parses its pattern and looks up
the locale on every call, which came to a third of the page's time. These format like
`challenges.display.amount` ("#,##0.#": grouped thousands, no needless decimals) with the locale's
symbols looked up once.
"""

from collections.abc import Callable
from functools import lru_cache

from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol
from flask_babel import get_locale


@lru_cache(maxsize=16)
def _translation(locale_name: str) -> dict:
    symbols = {",": get_group_symbol(locale_name), ".": get_decimal_symbol(locale_name)}
    return str.maketrans({**symbols, "-": get_minus_sign_symbol(locale_name)})


def formatter(locale=None) -> Callable[..., str]:
    """A `number(value, digits=0)` for the current (or given) locale: "1,234.5" in English, "1.234,5" in German."""
    table = _translation(str(locale or get_locale() or "en"))

    def number(value: float | None, digits: int = 0) -> str:
        if value is None:
            return "–"
        rounded = round(value, digits) or 0.0  # never "-0"
        text = f"{rounded:,.{digits}f}"
        if digits:
            text = text.rstrip("0").rstrip(".")
        return text.translate(table)

    return number
