"""Street names as the lookup compares them: what a German resident types matches what the city's table says.

"Hauptstr. 12", "Hauptstraße", "HAUPTSTRASSE" and "Haupt-Straße" are one street; "Mühlenweg" and
"Muehlenweg" too. Postcodes are five digits; a spreadsheet that dropped a leading zero ("1067") is read
as the postcode it was ("01067").
"""

import re
import unicodedata

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_STREET_ABBREVIATION = re.compile(r"str(?:\.|\b)")  # "Hauptstr." and "Haupt Str" but not "Strand"
_HOUSE_NUMBER = re.compile(r"[\s,]+\d+\s*[a-z]?(?:\s*[-/]\s*\d+\s*[a-z]?)?\s*$", re.IGNORECASE)
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")
POSTCODE = re.compile(r"\d{5}")


def street_key(name: str) -> str:
    """The form in which two spellings of a street's name are equal (lower case, "strasse", no spaces or dots)."""
    text = unicodedata.normalize("NFC", name).casefold().translate(_UMLAUTS)  # casefold also makes "ß" "ss"
    text = _STREET_ABBREVIATION.sub("strasse", text)
    # Accents other than umlauts ("Rue Genève") compare without them.
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _NOT_LETTER_OR_DIGIT.sub("", text)


def without_house_number(typed: str) -> str:
    """What a resident typed, less a trailing house number ("Hauptstraße 12a", "Am Markt 3-5")."""
    return _HOUSE_NUMBER.sub("", typed.strip())


def postcode_or_none(typed: str) -> str | None:
    """A German postcode as five digits, or None if the text is not one (spaces are ignored, a lost leading zero
    restored)."""
    digits = typed.replace(" ", "").strip()
    if len(digits) == 4 and digits.isdigit():
        digits = "0" + digits
    return digits if POSTCODE.fullmatch(digits) else None
