"""How challenge values are shown to people: labels for every code, safe paragraphs, change-log values."""

import re
from datetime import date, datetime

from babel.dates import format_interval, format_skeleton
from flask_babel import format_datetime, format_decimal, format_time, get_locale, get_timezone, ngettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app import bilingual
from app.columns import utcnow
from app.extensions import db
from challenges.models import AssistedActionKind, Challenge, Status, SubmissionStatus
from challenges.scoring import Category, Format, Metric, Mode

CATEGORY_LABELS = {Category.ENERGY: _l("Energy"), Category.MOBILITY: _l("Mobility")}

METRIC_LABELS = {
    Metric.SHARE_SAVED: _l("Share of usual electricity use saved (%)"),
    Metric.KWH_SAVED: _l("Electricity saved (kWh)"),
    Metric.CAR_KM_AVOIDED: _l("Car kilometres avoided"),
    Metric.SUSTAINABLE_TRIPS: _l("Sustainable trips"),
    Metric.CO2_KG_AVOIDED: _l("CO₂ avoided (kg)"),
}

# The unit one point rule counts in, as it follows a number: "12 kWh".
METRIC_UNITS = {
    Metric.SHARE_SAVED: _l("%"),
    Metric.KWH_SAVED: _l("kWh"),
    Metric.CAR_KM_AVOIDED: _l("km"),
    Metric.SUSTAINABLE_TRIPS: _l("trips"),
    Metric.CO2_KG_AVOIDED: _l("kg CO₂"),
}

FORMAT_LABELS = {
    Format.INDIVIDUAL: _l("Individual"),
    Format.NEIGHBOURHOOD: _l("Neighbourhoods compete"),
    Format.COLLECTIVE: _l("The whole city together"),
}

STATUS_LABELS = {
    Status.DRAFT: _l("Draft"),
    Status.SCHEDULED: _l("Upcoming"),
    Status.ACTIVE: _l("Running"),
    Status.CLOSED: _l("Finished"),
    Status.CANCELLED: _l("Cancelled"),
}

MODE_LABELS = {
    Mode.WALK: _l("On foot"),
    Mode.BIKE: _l("By bike"),
    Mode.PUBLIC_TRANSPORT: _l("By bus or train"),
    Mode.CARPOOL: _l("Shared car ride"),
    Mode.CAR: _l("By car, alone"),
}

SUBMISSION_STATUS_LABELS = {
    SubmissionStatus.ACCEPTED: _l("Counted"),
    SubmissionStatus.FLAGGED: _l("Waiting for review"),
    SubmissionStatus.REJECTED: _l("Rejected"),
    SubmissionStatus.WITHDRAWN: _l("Withdrawn"),
}

# Where a submission came from (Submission.source).
SOURCE_LABELS = {
    "web": _l("on the website"),
    "api": _l("through the API"),
    "csv": _l("in a CSV upload"),
    "assisted": _l("at a service desk"),
    "connector": _l("delivered by the utility from a linked meter"),
}

# What a manager did for a resident at a service desk (AssistedAction.kind).
ASSISTED_ACTION_LABELS = {
    AssistedActionKind.REGISTERED: _l("Registered, log-in code printed"),
    AssistedActionKind.CODE_REISSUED: _l("New log-in code printed; the old one stopped working"),
    AssistedActionKind.JOINED: _l("Signed up for a challenge"),
    AssistedActionKind.READING: _l("Meter reading entered"),
    AssistedActionKind.TRIP: _l("Trip entered"),
}

# The plausibility rule behind each refusal code the services raise.
RULE_LABELS = {
    "range": _l("plausible values only"),
    "future": _l("nothing from the future"),
    "outside": _l("only within the challenge period"),
    "duplicate": _l("no duplicates"),
    "order": _l("readings in time order"),
    "falling": _l("meter readings must rise"),
    "not_running": _l("only while the challenge takes submissions"),
    "not_started": _l("activity counts once the challenge has started"),
    "wrong_kind": _l("each challenge takes its own kind of submission"),
    "car_alone": _l("a car trip alone never replaces a car trip"),
    "reason_required": _l("a reason is needed"),
}

FIELD_LABELS = {
    "title": _l("Title"),
    "description": _l("Description"),
    "title_en": _l("Title in English"),
    "title_de": _l("Title in German"),
    "description_en": _l("Description in English"),
    "description_de": _l("Description in German"),
    "category": _l("Category"),
    "metric": _l("What counts"),
    "format": _l("Format"),
    "starts_at": _l("Start"),
    "ends_at": _l("End"),
    "points_per_unit": _l("Points per unit"),
    "daily_point_cap": _l("Daily point cap"),
    "target": _l("City-wide target"),
    "completion_goal": _l("Personal goal"),
    "completion_bonus": _l("Completion bonus"),
    "placement_points": _l("Points for the top three"),
    "max_kwh_per_day": _l("Most kWh per day before review"),
    "max_km_per_day": _l("Most km per day before review"),
}

_CODE_LABELS = {
    "category": CATEGORY_LABELS,
    "metric": METRIC_LABELS,
    "format": FORMAT_LABELS,
}
_BLANK_LINES = re.compile(r"\n\s*\n")


def title_of(challenge_id: int) -> str | None:
    """A challenge's title in the reader's language (with fallback), for pages that keep only its id."""
    challenge = db.session.get(Challenge, challenge_id)  # the session's identity map: one read per challenge
    return bilingual.text(challenge, "title") if challenge is not None else None


def paragraphs(text: str | None) -> Markup:
    """Plain text as HTML paragraphs: blank lines part them, single newlines break lines; nothing else passes."""
    blocks = [block.strip() for block in _BLANK_LINES.split((text or "").replace("\r\n", "\n"))]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(escape(line) for line in block.split("\n")))
        for block in blocks
        if block
    )


def amount(value: float | None, digits: int = 1) -> str:
    """A number for people: rounded, in the reader's locale, with no needless decimals."""
    if value is None:
        return "–"
    return format_decimal(round(value, digits), format="#,##0." + "#" * digits if digits else "#,##0")


# "For each …": the singular of each unit.
METRIC_UNIT_ONE = {
    Metric.SHARE_SAVED: _l("%"),
    Metric.KWH_SAVED: _l("kWh"),
    Metric.CAR_KM_AVOIDED: _l("km"),
    Metric.SUSTAINABLE_TRIPS: _l("trip"),
    Metric.CO2_KG_AVOIDED: _l("kg CO₂"),
}


def quantity(value: float | None, metric: Metric) -> str:
    """An amount with its unit, in the right number: "1 trip", "3 trips", "12.5 kWh"."""
    if metric == Metric.SUSTAINABLE_TRIPS and value is not None:
        count = round(value)
        return ngettext("%(amount)s trip", "%(amount)s trips", count, amount=amount(value))
    return f"{amount(value)} {METRIC_UNITS[metric]}"


def short_date(day: date) -> str:
    """A day as a chart label: "4 Mar" in English (en_GB), "4. März" in German."""
    return format_skeleton("MMMd", day, locale=get_locale() or "en")


def day(value: date | None) -> str:
    """A day with its weekday: "Wed, 4 Mar 2026"."""
    return format_skeleton("yMMMEd", value, locale=get_locale() or "en") if value else "–"


def when(moment: datetime | None) -> str:
    """A moment in the city's time: "Wed, 4 Mar 2026, 13:00" or "Mi., 4. März 2026, 13:00"."""
    if moment is None:
        return "–"
    local_day = format_skeleton("yMMMEd", moment, tzinfo=get_timezone(), locale=get_locale() or "en")
    return f"{local_day}, {format_time(moment, 'short')}"


def date_range(start: datetime | None, end: datetime | None) -> str:
    """The days a challenge runs, compactly: "4 Nov – 9 Dec 2026"."""
    if start is None or end is None:
        return "–"
    return format_interval(start, end, "yMMMd", tzinfo=get_timezone(), locale=get_locale() or "en")


def change_value(field: str, value: str | None) -> str:
    """A value from the change log (stored as text) shown as the form showed it."""
    if value is None or value == "":
        return str(_l("(empty)"))
    if field in ("starts_at", "ends_at"):
        try:
            return format_datetime(datetime.fromisoformat(value), "short")
        except ValueError:
            return value
    labels = _CODE_LABELS.get(field)
    if labels:
        for code, label in labels.items():
            if code.value == value:
                return str(label)
    return value


def status_label(challenge) -> str:
    """The challenge's state as residents know it: an ended one still taking late entries says so."""
    if challenge.status == Status.ACTIVE and challenge.ends_at and challenge.ends_at <= utcnow():
        return str(_l("Taking late entries"))
    return str(STATUS_LABELS[challenge.status])
