"""How ledger entries, vouchers and badges are put into words, in the reader's language and time zone.

Entries store a reason code and its values, not a sentence, so each reader sees the reason in
their own language however it was booked.
"""

from datetime import date

from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import lazy_gettext as _l

from app.bilingual import current_language
from app.clock import local_date
from challenges import display as challenge_display
from rewards.models import BadgeRule, EntryKind, LedgerEntry, PartnerKind, VoucherStatus

KIND_LABELS = {
    EntryKind.ACTIVITY: _l("Activity"),
    EntryKind.BONUS: _l("Bonus"),
    EntryKind.PRIZE: _l("Prize"),
    EntryKind.STREAK: _l("Streak"),
    EntryKind.DATA_CREDIT: _l("Data sharing"),
    EntryKind.REDEMPTION: _l("Redemption"),
    EntryKind.REFUND: _l("Refund"),
    EntryKind.REVERSAL: _l("Reversal"),
    EntryKind.PLEDGE: _l("Community project"),
}

# Reason codes (LedgerEntry.reason) and their sentences; %(name)s are the entry's reason_params.
REASONS = {
    "activity": _l("Activity in “%(challenge)s”"),
    "rescored": _l("Points taken back in “%(challenge)s” after a review"),
    "completion": _l("Completion bonus: you reached the goal of “%(challenge)s”"),
    "placement": _l("Prize for place %(place)s in “%(challenge)s”"),
    "neighbourhood_placement": _l("Prize: your neighbourhood came %(place)s. in “%(challenge)s”"),
    "streak": _l("Streak: active %(weeks)s weeks in a row"),
    "data_credit": _l("Data dividend: %(purpose)s"),
    "redemption": _l("Redeemed: %(reward)s"),
    "voucher_cancelled": _l("Refund: voucher for %(reward)s cancelled"),
    "voucher_voided": _l("Refund: voucher for %(reward)s voided as the account was deleted"),
    "voucher_expired": _l("Refund: voucher for %(reward)s expired unused"),
    "correction": _l("Correction: %(note)s"),
    "pledge": _l("Pledged to the community project “%(project)s”"),
    "pledge_failed": _l("Returned: the community project “%(project)s” did not reach its target"),
    "pledge_cancelled": _l("Returned: the community project “%(project)s” was cancelled"),
}

VOUCHER_STATUS_LABELS = {
    VoucherStatus.ISSUED: _l("Ready to use"),
    VoucherStatus.USED: _l("Used"),
    VoucherStatus.CANCELLED: _l("Cancelled and refunded"),
    VoucherStatus.EXPIRED: _l("Expired"),
    VoucherStatus.VOIDED: _l("Voided: the account was deleted"),
}

PARTNER_KIND_LABELS = {
    PartnerKind.MUNICIPAL: _l("Municipal service"),
    PartnerKind.TRANSPORT: _l("Public transport"),
    PartnerKind.CULTURE: _l("Culture and leisure"),
    PartnerKind.SHOP: _l("Local shop"),
    PartnerKind.OTHER: _l("Other"),
}

BADGE_RULE_LABELS = {
    BadgeRule.FIRST_SUBMISSION: _l("First submission"),
    BadgeRule.STREAK: _l("Active 4 weeks in a row"),
    BadgeRule.CHALLENGE_COMPLETED: _l("Completed a challenge"),
    BadgeRule.TOP_10: _l("Top 10 in a challenge"),
    BadgeRule.NEIGHBOURHOOD_WINNER: _l("Member of the winning neighbourhood"),
    BadgeRule.DATA_SHARER: _l("Shares data with the city"),
}


def describe(entry: LedgerEntry) -> str:
    """The entry's reason as a sentence; an unknown code (from a newer version) shows as itself."""
    template = REASONS.get(entry.reason)
    if template is None:
        return entry.reason
    params = dict(entry.reason_params or {})
    if params.get("project_de") and current_language() == "de":  # a community project's title, kept in both
        params["project"] = params["project_de"]
    if isinstance(params.get("challenge_id"), int):
        # The title kept with the entry is the one of its day, in English; the reader gets today's in their language.
        params["challenge"] = challenge_display.title_of(params["challenge_id"]) or params.get("challenge", "")
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def when(moment) -> str:
    return format_datetime(moment, "short") if moment else ""


def day(moment) -> str:
    """The moment's day in the city, e.g. "4 Mar 2026"; a dash for none."""
    return format_date(local_date(moment), "medium") if moment else "–"


def activity_day(entry: LedgerEntry) -> str | None:
    """The day of the activity an entry pays for, e.g. "4 Mar 2026"; None for entries not from an activity."""
    day = (entry.reason_params or {}).get("day")
    return format_date(date.fromisoformat(day), "medium") if isinstance(day, str) else None


def points(value: int) -> str:
    """A number of points with thousands separators in the reader's language."""
    return format_decimal(value, format="#,##0")
