"""The personal data rewards hold about a resident: the points ledger, vouchers and badges.

One of the domains' `personal_data` modules that privacy/ asks for "download my data" and "delete my
account" (the list and its order: privacy/holders.py). Who validated a voucher (a partner's staff)
is someone else's data and is left out.
"""

from datetime import datetime

from sqlalchemy import select, update

from accounts.models import User
from accounts.personal_data import anonymous_owner
from app.extensions import db
from app.personal_data import ExportLinks, as_json, delete_rows
from rewards import display, ledger
from rewards.catalogue.redemption import void_vouchers
from rewards.models import BadgeAward, LedgerEntry, PointsAccount, Voucher


def export(user: User, links: ExportLinks) -> dict[str, str]:
    """The ledger (CSV, newest first, reasons in the reader's language), the vouchers and the badges."""
    return {
        "ledger.csv": "".join(ledger.csv_rows(ledger.history_query(user.id), display.describe, _ledger_when)),
        "vouchers.json": as_json(_vouchers(user)),
        "badges.json": as_json(_badges(user)),
    }


def _ledger_when(entry: LedgerEntry) -> str:
    return entry.created_at.isoformat()


def _vouchers(user: User) -> list[dict]:
    query = select(Voucher).where(Voucher.user_id == user.id).order_by(Voucher.issued_at, Voucher.id)
    return [
        {"code": v.code, "reward": v.reward.title, "partner": v.reward.partner.name, "cost": v.cost,
         "status": v.status, "issued_at": v.issued_at, "expires_at": v.expires_at, "used_at": v.used_at,
         "closed_at": v.closed_at}
        for v in db.session.scalars(query)
    ]  # fmt: skip


def _badges(user: User) -> list[dict]:
    query = select(BadgeAward).where(BadgeAward.user_id == user.id).order_by(BadgeAward.awarded_at, BadgeAward.id)
    return [
        {"badge": a.badge.name, "description": a.badge.description, "awarded_at": a.awarded_at,
         "evidence": a.evidence, "private": a.private, "assertion_id": a.uid}
        for a in db.session.scalars(query)
    ]  # fmt: skip


def erase(user: User, now: datetime) -> dict[str, int]:
    """Void unused vouchers, delete the badges, and move the ledger and used vouchers to an anonymous owner.

    Voiding refunds the points and puts the item back in stock, so the books and the catalogue stay
    right; the ledger and the used vouchers are kept for the books, under an account that stands for
    nobody, so no entry links to the person any more.
    """
    voided = void_vouchers(user, now)
    badges = delete_rows(BadgeAward, BadgeAward.user_id == user.id)
    delete_rows(PointsAccount, PointsAccount.user_id == user.id)
    owner = anonymous_owner()
    entries = _move(LedgerEntry, user, owner)
    vouchers = _move(Voucher, user, owner)
    db.session.expire_all()
    return {"badges": badges, "vouchers_voided": voided, "ledger_entries_unlinked": entries,
            "vouchers_unlinked": vouchers}  # fmt: skip


def _move(model, user: User, owner: User) -> int:
    return db.session.execute(
        update(model).where(model.user_id == user.id).values(user_id=owner.id)
        .execution_options(synchronize_session=False)
    ).rowcount  # fmt: skip
