"""The personal data sharing holds about a resident: consents with their receipts, and the uses of their data.

One of the domains' `personal_data` modules that privacy/ asks for "download my data" and "delete my
account" (the list and its order: privacy/holders.py).
"""

from datetime import datetime

from sqlalchemy import update

from accounts.models import User
from app.extensions import db
from app.personal_data import ExportLinks, as_json, delete_rows
from sharing import gate, receipts, services, uses
from sharing.models import Consent, DataUseResident, EndReason


def export(user: User, links: ExportLinks) -> dict[str, str]:
    """Every consent given, changed or withdrawn, each with its Kantara receipt; every use of the resident's data."""
    return {"consents.json": as_json(_consents(user, links)), "data_uses.json": as_json(_data_uses(user))}


def _consents(user: User, links: ExportLinks) -> list[dict]:
    return [
        {"id": c.id, "category": c.category.code, "purpose": c.purpose.code, "organisation": c.purpose.organisation,
         "level": c.level, "duration_months": c.duration_months, "method": c.method, "granted_at": c.granted_at,
         "expires_at": c.expires_at, "ended_at": c.ended_at, "end_reason": c.end_reason,
         "receipt": receipts.receipt(c, links.policy_url, links.withdraw_url)}
        for c in reversed(services.consent_history(user))
    ]  # fmt: skip


def _data_uses(user: User) -> list[dict]:
    # Who ran a use (a staff member's pseudonym) is someone else's data: the organisation stands for them.
    return [
        {"id": u.id, "created_at": u.created_at, "organisation": u.organisation, "purpose": u.purpose.code,
         "categories": u.categories, "level": u.level, "filters": u.filters, "resident_count": u.resident_count,
         "description": u.description}
        for u in db.session.scalars(uses.uses_of(user))
    ]  # fmt: skip


def erase(user: User, now: datetime) -> dict[str, int]:
    """End every consent in force, so the gate lets none of this resident's data through from now on.

    The consents stay with their receipts (anonymised with the account), as the law requires: proof
    that past uses were allowed. The links to the data uses go; each use keeps its count of residents.
    """
    ended = db.session.execute(
        update(Consent)
        .where(Consent.user_id == user.id, *gate.in_force(now))
        .values(ended_at=now, end_reason=EndReason.ACCOUNT_DELETED)
        .execution_options(synchronize_session=False)
    ).rowcount
    return {"consents_ended": ended, "data_use_links": delete_rows(DataUseResident, DataUseResident.user_id == user.id)}
