"""How notifications are put into words, in the reader's language.

A notification stores a message code and its values (`params`), never a sentence, so each reader sees
it in their own language however and whenever it was sent — the list page in the language of the
request, an email in the resident's language when it was queued.

To add a message: add `"code": Message(_l("Subject with %(name)s"), _l("Body with %(name)s."))` to
MESSAGES and call `notify(..., message="code", params={"name": ...})`. Values are put in as given, except
- names ending in `_at` hold an ISO 8601 timestamp (`moment.isoformat()`) and show as a date;
- `formats` maps a param to a function that puts its value into words (a catalogue code into its name).
Params should be plain JSON values (codes, numbers, names of things), never sentences: they are not
translated. A code this version does not know shows as itself, so old rows never break a page.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from notifications.models import Channel, Kind
from nudges import display as nudges
from sharing.models import DataCategory, Purpose

KIND_LABELS = {
    Kind.DIGEST: _l("Weekly digest"),
    Kind.CHALLENGE_REMINDERS: _l("Challenge reminders"),
    Kind.ADVICE: _l("Energy advice"),
    Kind.REWARDS: _l("Rewards, streaks and badges"),
    Kind.CONSENT_EXPIRY: _l("Consent expiry"),
    Kind.ACCOUNT: _l("Your account"),
}

KIND_EXPLANATIONS = {
    Kind.DIGEST: _l("Once a week: your progress, your rank and where your neighbourhood stands."),
    Kind.CHALLENGE_REMINDERS: _l(
        "A challenge you might like starts, one you joined ends soon, or you have not submitted for a while."
    ),
    Kind.ADVICE: _l("Personal energy advice, only if you consented to it on the data sharing page."),
    Kind.REWARDS: _l("New badges, streaks, rewards you can afford and vouchers about to expire."),
    Kind.CONSENT_EXPIRY: _l("A week before a consent to share your data ends."),
}

CHANNEL_LABELS = {
    Channel.IN_APP: _l("In the app"),
    Channel.EMAIL: _l("In the app and by email"),
    Channel.OFF: _l("Off"),
}


@dataclass(frozen=True)
class Message:
    subject: object  # lazy strings with %(name)s placeholders
    body: object
    formats: dict[str, Callable[[object], str]] = field(default_factory=dict)


def _catalogue_name(model) -> Callable[[object], str]:
    """A catalogue code as the entry's name in the reader's language; the code when it is unknown."""

    def name(code) -> str:
        entry = db.session.scalar(select(model).where(model.code == str(code)))
        if entry is None:
            return str(code)
        language = "de" if str(get_locale() or "en").startswith("de") else "en"
        return getattr(entry, f"name_{language}") or entry.name_en

    return name


MESSAGES = {
    # Data sharing (kind consent_expiry): params category, purpose (codes), expires_at.
    "consent_expiring": Message(
        _l("Your consent ends on %(expires_at)s"),
        _l(
            "Your consent to share your %(category)s for %(purpose)s ends on %(expires_at)s. If you want to "
            "keep sharing, renew it on your data sharing page; otherwise nothing needs to be done."
        ),
        formats={"category": _catalogue_name(DataCategory), "purpose": _catalogue_name(Purpose)},
    ),
    # Data sharing (kind account): params category, purpose (codes); the catalogue entry's wording changed.
    "consent_ended_wording": Message(
        _l("Your consent has ended because its description changed"),
        _l(
            "The city reworded what sharing your %(category)s for %(purpose)s covers. So that nothing is shared "
            "on terms you have not seen, your consent has ended. If you agree with the new description, you can "
            "consent again on your data sharing page."
        ),
        formats={"category": _catalogue_name(DataCategory), "purpose": _catalogue_name(Purpose)},
    ),
    # Weekly digest (kind digest): params points, challenges (how many are active for you).
    "weekly_digest": Message(
        _l("Your week on Civiquest"),
        _l(
            "You earned %(points)s points this week in %(challenges)s active challenges. See how you and your "
            "neighbourhood are doing."
        ),
    ),
    # Challenge reminders (kind challenge_reminders): params challenge (its title), starts_at / ends_at, days.
    "challenge_starting": Message(
        _l("New challenge: %(challenge)s"),
        _l("“%(challenge)s” starts on %(starts_at)s. Have a look whether it is something for you."),
    ),
    "challenge_ending": Message(
        _l("“%(challenge)s” ends on %(ends_at)s"),
        _l("The challenge “%(challenge)s” you joined ends on %(ends_at)s. There is still time to take part."),
    ),
    "challenge_inactive": Message(
        _l("We miss you in “%(challenge)s”"),
        _l("You have not submitted anything to “%(challenge)s” for %(days)s days. Every contribution counts."),
    ),
    # Rewards (kind rewards): params badge, weeks, reward, points, expires_at.
    "badge_awarded": Message(_l("New badge: %(badge)s"), _l("You earned the badge “%(badge)s”. Well done!")),
    "streak": Message(_l("%(weeks)s weeks in a row"), _l("You have been active %(weeks)s weeks in a row. Keep it up!")),
    "reward_affordable": Message(
        _l("You can now afford “%(reward)s”"),
        _l("You have enough points for “%(reward)s” (%(points)s points)."),
    ),
    "voucher_expiring": Message(
        _l("Your voucher for “%(reward)s” expires on %(expires_at)s"),
        _l("Your voucher for “%(reward)s” expires on %(expires_at)s. Use it before then."),
    ),
    # Energy advice (kind advice): params percent (forecast above baseline).
    "energy_advice": Message(
        _l("Your energy use is rising"),
        _l(
            "Your use over the next four weeks is forecast to be %(percent)s %% above your usual level. We have "
            "put together tips and funding programmes for you."
        ),
    ),
    # Nudges (nudges): the digest with each challenge and a tip, the advice with tips and funding.
    # digest_summary (kind digest): params points, challenges (list of {challenge, score, rank, participants,
    # change, neighbourhood: {rank, count, gap, other} or null}), tip (a tip code).
    "digest_summary": Message(
        _l("Your week on Civiquest"),
        _l("You earned %(points)s points last week. %(challenges)s Tip: %(tip)s"),
        formats={"points": nudges.number, "challenges": nudges.challenge_lines, "tip": nudges.tip},
    ),
    # energy_advice_detail (kind advice): params percent, forecast, baseline (kWh a week), household (size),
    # tips (tip codes), programmes (funding programme ids).
    "energy_advice_detail": Message(
        _l("Your energy use is rising"),
        _l(
            "Over the next four weeks your use is forecast at %(forecast)s kWh a week, %(percent)s %% above your "
            "usual %(baseline)s kWh. Tips for %(household)s: %(tips)s %(programmes)s"
        ),
        formats={
            "percent": nudges.number,
            "forecast": nudges.number,
            "baseline": nudges.number,
            "household": nudges.household,
            "tips": nudges.tips,
            "programmes": nudges.programmes,
        },
    ),
}


def render(code: str, params: dict | None) -> tuple[str, str]:
    """The subject and body of a message in the current language; an unknown code shows as itself."""
    message = MESSAGES.get(code)
    if message is None:
        return code, ""
    values = {name: _value(message, name, value) for name, value in (params or {}).items()}
    return _fill(message.subject, values), _fill(message.body, values)


def _value(message: Message, name: str, value) -> str:
    if name in message.formats:
        return message.formats[name](value)
    if name.endswith("_at") and isinstance(value, str):
        try:
            return format_date(datetime.fromisoformat(value), "long")
        except ValueError:
            return value
    return value


def _fill(template, values: dict) -> str:
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return str(template)
