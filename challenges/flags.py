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
    KWH_LOW = "kwh_low"  # a reading implies (near) zero use for at least a day
    KWH_HIGH = "kwh_high"  # a reading implies use far above the household's range
    TRIPS_UNUSUAL = "trips_unusual"  # a day's trips are far more than the resident's usual day
    KM_UNUSUAL = "km_unusual"  # a day's trips add up to far more km than the resident's usual day
    SPEED = "speed_sustained"  # an uploaded track kept a speed for minutes that its mode does not reach


SENTENCES = {
    FlagRule.KWH_PER_DAY: _l(
        "%(value)s kWh per day is more than the %(limit)s kWh this challenge expects; a manager will check it."
    ),
    FlagRule.KM_PER_DAY: _l(
        "%(value)s km in one day is more than the %(limit)s km this challenge expects; a manager will check it."
    ),
    FlagRule.KWH_LOW: _l(
        "%(value)s kWh per day is less than the %(limit)s kWh even a frugal household of this size uses; "
        "a manager will check it."
    ),
    FlagRule.KWH_HIGH: _l(
        "%(value)s kWh per day is far more than the %(limit)s kWh expected at most for this household; "
        "a manager will check it."
    ),
    FlagRule.TRIPS_UNUSUAL: _l(
        "%(value)s trips in one day are far more than your usual day (%(limit)s at most); a manager will check it."
    ),
    FlagRule.KM_UNUSUAL: _l(
        "%(value)s km in one day are far more than your usual day (%(limit)s km at most); a manager will check it."
    ),
    FlagRule.SPEED: _l(
        "The track kept up %(value)s km/h for at least five minutes, faster than the %(limit)s km/h the chosen "
        "mode reaches; a manager will check it."
    ),
}
# How precisely each rule's measured value and its limit are shown (limits: whole numbers unless said here).
VALUE_FORMATS = {
    FlagRule.KWH_PER_DAY: "#,##0.0", FlagRule.KM_PER_DAY: "#,##0", FlagRule.KWH_LOW: "#,##0.0",
    FlagRule.KWH_HIGH: "#,##0.0", FlagRule.TRIPS_UNUSUAL: "#,##0", FlagRule.KM_UNUSUAL: "#,##0",
    FlagRule.SPEED: "#,##0",
}  # fmt: skip
LIMIT_FORMATS = {FlagRule.KWH_LOW: "#,##0.0", FlagRule.KWH_HIGH: "#,##0.0"}


def flag_values(value: float, limit: float) -> dict:
    """The numbers a flag keeps: what was measured and the limit it broke."""
    return {"value": round(value, 3), "limit": round(limit, 3)}


def describe(rule: str | None, values: dict | None) -> str | None:
    """The reason in the current language, or None for a submission that was never held."""
    if rule is None:
        return None
    rule = FlagRule(rule)
    values = values or {}
    return str(SENTENCES[rule]) % {
        "value": format_decimal(values.get("value", 0), format=VALUE_FORMATS[rule]),
        "limit": format_decimal(values.get("limit", 0), format=LIMIT_FORMATS.get(rule, "#,##0")),
    }
