"""How notifications are put into words, in the reader's language.

A notification stores a message code and its values (`params`), never a sentence, so each reader sees
it in their own language however and whenever it was sent — the list page in the language of the
request, an email in the resident's language when it was queued.

To add a message: register it from your own package (`<domain>/messages.py`, imported by app.wiring) with
`register_messages({"code": Message(_l("Subject with %(name)s"), _l("Body with %(name)s."))})`, then call
`notify(..., message="code", params={"name": ...})`. Values are put in as given, except
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


def catalogue_name(model) -> Callable[[object], str]:
    """A catalogue code as the entry's name in the reader's language; the code when it is unknown."""

    def name(code) -> str:
        entry = db.session.scalar(select(model).where(model.code == str(code)))
        if entry is None:
            return str(code)
        language = "de" if str(get_locale() or "en").startswith("de") else "en"
        return getattr(entry, f"name_{language}") or entry.name_en

    return name


MESSAGES: dict[str, Message] = {}


def register_messages(messages: dict[str, Message]) -> None:
    """Add a domain's message codes and texts; the hub knows no caller, each domain registers its own."""
    for code, message in messages.items():
        if MESSAGES.get(code, message) is not message:
            raise ValueError(f"notification message {code!r} is registered twice")
        MESSAGES[code] = message


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
