"""How data sharing is put into words: catalogue texts in the reader's language, levels, endings, earnings."""

from datetime import date, datetime

from flask import request, url_for
from flask_babel import format_date, format_datetime, gettext, ngettext
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from app import bilingual
from app.clock import city_zone, local_date, week_start
from sharing import credits, gate
from sharing.models import Consent, DataCategory, EndReason, Level, Purpose

LEVEL_LABELS = {
    Level.INDIVIDUAL: _l("Individual"),
    Level.NEIGHBOURHOOD: _l("Neighbourhood"),
    Level.CITY: _l("City"),
}

LEVEL_EXPLANATIONS = {
    Level.INDIVIDUAL: _l("Your own records, under a pseudonym instead of your name."),
    Level.NEIGHBOURHOOD: _l("Only totals per neighbourhood; nobody sees your own records."),
    Level.CITY: _l("Only totals for the whole city, fit to be published as open data."),
}

END_REASON_LABELS = {
    EndReason.REVOKED: _l("Stopped by you"),
    EndReason.EXPIRED: _l("Expired"),
    EndReason.CHANGED: _l("Replaced by a change"),
    EndReason.ACCOUNT_DELETED: _l("Account deleted"),
    EndReason.PURPOSE_CHANGED: _l("Ended because its description changed"),
}


def _language() -> str:
    return bilingual.current_language()


def _localized(obj, field: str) -> str:
    """The German or English text of a catalogue entry; the other one where it is empty (app.bilingual)."""
    return bilingual.text(obj, field, _language())


def name(entry: DataCategory | Purpose) -> str:
    return _localized(entry, "name")


def description(category: DataCategory) -> str:
    return _localized(category, "description")


def explanation(purpose: Purpose) -> str:
    return _localized(purpose, "explanation")


def months(count: int) -> str:
    return ngettext("%(num)d month", "%(num)d months", count)


def when(moment: datetime | None) -> str:
    return format_datetime(moment, "short") if moment else "–"


def day(moment: datetime | None) -> str:
    """The day of a moment, in the city's calendar."""
    return format_date(moment.astimezone(city_zone()).date(), "medium") if moment else "–"


def calendar_day(value: date) -> str:
    return format_date(value, "medium")


def month(first_day: date) -> str:
    return format_date(first_day, "MMM yyyy")


def this_week(now: datetime) -> date:
    """The Monday of the current week, in the city's calendar."""
    return week_start(local_date(now))


def weekly_maximum(level: Level, week_start: date) -> int:
    """The most a consent at `level` can earn in a week: the base plus every counted record."""
    base, per_record, cap = credits.rate_for(level, week_start)
    return base + per_record * cap


def earns(level: Level, week_start: date) -> str:
    return ngettext("earns up to %(num)d point a week", "earns up to %(num)d points a week",
                    weekly_maximum(level, week_start))  # fmt: skip


def level_choice(level: Level, week_start: date) -> str:
    """A level as an option of the consent form: its name, what it means and what it earns."""
    return gettext("%(level)s: %(meaning)s (%(earns)s)", level=LEVEL_LABELS[level], meaning=LEVEL_EXPLANATIONS[level],
                   earns=earns(level, week_start))  # fmt: skip


def ending(consent: Consent, now: datetime) -> str:
    """How a grant ended, or until when it runs."""
    if consent.ended_at is not None and consent.end_reason is not None:
        return gettext("%(how)s on %(day)s", how=END_REASON_LABELS[EndReason(consent.end_reason)],
                       day=day(consent.ended_at))  # fmt: skip
    if gate.is_in_force(consent, now):
        return gettext("In force until %(day)s", day=day(consent.expires_at))
    return gettext("%(how)s on %(day)s", how=END_REASON_LABELS[EndReason.EXPIRED], day=day(consent.expires_at))


def receipt_urls() -> tuple[str, str]:
    """The privacy policy and the consent page, as receipts link them (plain paths if those pages are missing)."""
    urls = []
    for endpoint, path in (("sharing.privacy", "privacy"), ("sharing.consents", "me/consents")):
        try:
            urls.append(url_for(endpoint, _external=True))
        except BuildError:
            urls.append(request.host_url + path)
    return urls[0], urls[1]
