"""The data catalogue that admins keep: data categories and the purposes they may be used for.

What a category and a purpose say is what residents consented to. Changing those words while
consents are in force would change the consents behind the residents' backs, so a change to what an
entry says ends the consents in force for it (reason `purpose_changed`) and tells each resident, who
may consent again to the entry as it now reads. Switching an entry off or on changes no consent.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.columns import utcnow
from app.extensions import db
from notifications.services import notify
from sharing import errors, gate
from sharing.models import Consent, DataCategory, EndReason, Purpose
from sharing.services import end_consent

# The fields that say what residents agree to; changing one ends the consents in force.
WORDING = {
    DataCategory: ("name_en", "name_de", "description_en", "description_de"),
    Purpose: (
        "name_en",
        "name_de",
        "explanation_en",
        "explanation_de",
        "organisation_en",
        "organisation_de",
        "third_party",
    ),
}
Entry = DataCategory | Purpose


def create_entry(model: type[Entry], code: str, **fields) -> Entry:
    """A new category or purpose; its code is what the consent gate is asked about and must be unique."""
    if db.session.scalar(select(model.id).where(model.code == code)) is not None:
        raise errors.InvalidConsent({"code": _l("This code is already taken.")})
    entry = model(code=code, **fields)
    db.session.add(entry)
    db.session.flush()
    return entry


def _in_force(entry: Entry, now: datetime) -> tuple:
    column = Consent.category_id if isinstance(entry, DataCategory) else Consent.purpose_id
    return column == entry.id, *gate.in_force(now)


def consents_in_force(entry: Entry, now: datetime | None = None) -> int:
    """How many consents a change of the entry's wording would end now."""
    return db.session.scalar(select(func.count()).select_from(Consent).where(*_in_force(entry, now or utcnow())))


def changes_wording(entry: Entry, changes: dict) -> bool:
    """Whether `changes` alter what the entry says (surrounding spaces aside)."""

    def normal(value):
        return value.strip() if isinstance(value, str) else value

    return any(
        name in changes and normal(changes[name]) != normal(getattr(entry, name)) for name in WORDING[type(entry)]
    )


def update_entry(entry: Entry, changes: dict, now: datetime | None = None) -> int:
    """Apply `changes` (the code never changes); returns how many consents in force a new wording ended."""
    now = now or utcnow()
    ended = _end_consents(entry, now) if changes_wording(entry, changes) else 0
    for name, value in changes.items():
        if name != "code":
            setattr(entry, name, value)
    db.session.flush()
    return ended


def _end_consents(entry: Entry, now: datetime) -> int:
    ended = [consent for consent in db.session.scalars(select(Consent).where(*_in_force(entry, now))).all()
             if end_consent(consent, EndReason.PURPOSE_CHANGED, now)]  # fmt: skip
    for consent in ended:
        params = {"category": consent.category.code, "purpose": consent.purpose.code}
        # An account notice: it always arrives, since the resident's sharing changed without their doing.
        notify(consent.user_id, "account", "consent_ended_wording", f"consent-wording:{consent.id}", params,
               link="/me/consents", now=now)  # fmt: skip
    return len(ended)
