"""Numbers on the leaderboard pages read as Babel writes them, in English and German."""

import pytest
from babel.numbers import format_decimal

from leaderboards.display import formatter

VALUES = [0, 0.04, 0.05, 1, 12.34, 30.6, 999.95, 1234.5, 16 / 3, 1_234_567.891, 48_213]


@pytest.mark.parametrize("locale", ["en", "de"])
def test_numbers_match_babel(locale):
    """Grouped thousands and at most the asked decimals, as format_decimal("#,##0.#") gives them."""
    number = formatter(locale)
    for value in VALUES:
        assert number(value) == format_decimal(round(value), format="#,##0", locale=locale)
        assert number(value, 1) == format_decimal(round(value, 1), format="#,##0.#", locale=locale)
    assert (number(None), number(-0.01, 1)) == ("–", "0")


def test_german_separators():
    """German groups with a dot and marks decimals with a comma."""
    assert formatter("de")(1234.5, 1) == "1.234,5"
