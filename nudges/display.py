"""Words of the nudges: tips, and how the values a nudge stores are put into the reader's language.

Notifications store codes and numbers (see notifications.display); the functions here are the
`formats` of the nudges' messages, called when a notification is shown or its email written.
"""

from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from nudges.models import FundingProgramme

# Concrete tips, by code. Codes are stored in notifications, so never rename one; retire it instead.
TIPS = {
    "standby": _l("Switch devices off at a switchable power strip instead of leaving them on standby."),
    "fridge_temperature": _l("Set the fridge to 7 °C and the freezer to −18 °C; colder only costs energy."),
    "led": _l("Replace the last old bulbs with LEDs; they use about a fifth of the electricity."),
    "lids": _l("Cook with a lid on the pot and boil water in the kettle, not on the hob."),
    "wash_30": _l("Wash at 30 °C and only with a full machine; most laundry gets just as clean."),
    "eco_programme": _l("Use the eco programme of the dishwasher and washing machine: longer, but less energy."),
    "line_dry": _l("Dry laundry on a line or rack instead of in the tumble dryer."),
    "second_fridge": _l("Switch off a second fridge or freezer that is rarely full."),
    "shower": _l("Take shorter showers where the water is heated electrically, and fit a water-saving shower head."),
    "router_night": _l("Let the router, TV box and games console switch off at night with a timer."),
    "bike_short": _l("Take the bike for trips under 5 km; it is often the fastest way through town."),
    "bus_pass": _l("Try buses and trams for your commute for a week; the day ticket is a reward in the catalogue."),
    "carpool": _l("Share a car to work or the shops with a neighbour: half the kilometres each."),
}

# Tips for the advice, by household size: small households save most on base load, large ones on heat and laundry.
ADVICE_TIPS = {
    1: ("standby", "fridge_temperature", "led"),
    2: ("wash_30", "standby", "lids"),
    3: ("wash_30", "eco_programme", "line_dry"),
    4: ("line_dry", "shower", "second_fridge"),
}
ENERGY_TIPS = ("standby", "fridge_temperature", "led", "lids", "wash_30", "eco_programme", "line_dry", "router_night")
MOBILITY_TIPS = ("bike_short", "bus_pass", "carpool")


def advice_tips(household_size: int) -> list[str]:
    """The tip codes for a household of this size; four or more people share one list."""
    return list(ADVICE_TIPS[min(max(household_size, 1), 4)])


def _language() -> str:
    return "de" if str(get_locale() or "en").startswith("de") else "en"


def number(value) -> str:
    """A number as the reader writes it, with at most one decimal: 1,234.5 or 1.234,5."""
    return format_decimal(round(float(value), 1), "#,##0.#")


def ordinal(place: int) -> str:
    """A place as an ordinal in the reader's language: 2nd in English, 2. in German."""
    if _language() == "de":
        return f"{place}."
    suffix = "th" if 10 <= place % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
    return f"{place}{suffix}"


def tip(code) -> str:
    """One tip in the reader's language; an unknown code shows nothing."""
    return str(TIPS[code]) if code in TIPS else ""


def tips(codes) -> str:
    """Several tips, one sentence each."""
    return " ".join(tip(code) for code in codes or [] if code in TIPS)


def household(size) -> str:
    """'a household of 3 people'."""
    return ngettext("a household of %(num)d person", "a household of %(num)d people", int(size))


def programmes(ids) -> str:
    """The funding programmes by name and provider, in the reader's language; a sentence, or nothing."""
    found = db.session.scalars(select(FundingProgramme).where(FundingProgramme.id.in_(list(ids or []))))
    names = [f"{programme.text('name', _language())} ({programme.provider})" for programme in found]
    if not names:
        return ""
    return _("Funding you may be eligible for: %(names)s.", names="; ".join(names))


def _rank_change(change) -> str:
    if not change:
        return _("same place as last week") if change == 0 else ""
    if change > 0:
        return ngettext("up %(num)d place since last week", "up %(num)d places since last week", change)
    return ngettext("down %(num)d place since last week", "down %(num)d places since last week", -change)


def _standing(place: dict | None) -> str:
    """'Your neighbourhood: 2nd of 8, 3 % behind Oststadt.'"""
    if not place:
        return ""
    values = {"place": ordinal(place["rank"]), "count": place["count"], "gap": number(place.get("gap") or 0),
              "other": place.get("other") or ""}  # fmt: skip
    if place["rank"] > 1:
        return _("Your neighbourhood: %(place)s of %(count)s, %(gap)s %% behind %(other)s.", **values)
    if values["other"]:
        return _("Your neighbourhood: %(place)s of %(count)s, %(gap)s %% ahead of %(other)s.", **values)
    return _("Your neighbourhood: %(place)s of %(count)s.", **values)


def challenge_line(item: dict) -> str:
    """One challenge of the digest: score, rank, change, and the neighbourhood's standing."""
    if item.get("rank"):
        line = _("“%(challenge)s”: score %(score)s, rank %(rank)s of %(participants)s", challenge=item["challenge"],
                 score=number(item["score"]), rank=item["rank"], participants=item["participants"])  # fmt: skip
    else:
        line = _("“%(challenge)s”: score %(score)s", challenge=item["challenge"], score=number(item["score"]))
    change = _rank_change(item.get("change"))
    line = f"{line} ({change})." if change else f"{line}."
    standing = _standing(item.get("neighbourhood"))
    return f"{line} {standing}" if standing else line


def challenge_lines(items) -> str:
    """The digest's challenges, one after another."""
    return " ".join(challenge_line(item) for item in items or [])
