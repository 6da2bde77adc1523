"""Why a submission was held for review, put into words in the reader's language.

A submission stores the rule it broke and the numbers, not a sentence, so the manager reading the
review queue and the resident reading their page each see the reason in their own language and with
their own decimal separator, whoever sent it.
"""

import enum

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l


class FlagRule(enum.StrEnum):
    KWH_PER_DAY = "kwh_per_day"  # a reading implies more use per day than the challenge expects
    KM_PER_DAY = "km_per_day"  # a day's trips add up to more than the challenge expects


SENTENCES = {
    FlagRule.KWH_PER_DAY: _l(
        "%(value)s kWh per day is more than the %(limit)s kWh this challenge expects; a manager will check it."
    ),
    FlagRule.KM_PER_DAY: _l(
        "%(value)s km in one day is more than the %(limit)s km this challenge expects; a manager will check it."
    ),
}
# How precisely each rule's measured value is shown (limits are shown as whole numbers).
VALUE_FORMATS = {FlagRule.KWH_PER_DAY: "#,##0.0", FlagRule.KM_PER_DAY: "#,##0"}


def flag_values(value: float, limit: float) -> dict:
    """The numbers a flag keeps: what was measured and the limit it broke."""
    return {"value": round(value, 3), "limit": limit}


def describe(rule: str | None, values: dict | None) -> str | None:
    """The reason in the current language, or None for a submission that was never held."""
    if rule is None:
        return None
    rule = FlagRule(rule)
    values = values or {}
    return str(SENTENCES[rule]) % {
        "value": format_decimal(values.get("value", 0), format=VALUE_FORMATS[rule]),
        "limit": format_decimal(values.get("limit", 0), format="#,##0"),
    }
