"""Redeeming points for a reward, and giving a voucher back: points are spent without ever overspending.

A redemption takes the resident's lock and then the reward's row, and checks balance, per-resident
limit and stock while holding both; every path that touches both keeps the order of app.locks
(residents, then a voucher, then its reward), so concurrent requests queue instead of deadlocking.
"""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from accounts.models import User
from app.columns import utcnow
from app.extensions import db
from app.locks import lock_resident, lock_residents
from rewards import errors, ledger
from rewards.catalogue.services import is_available, redeemed_by
from rewards.catalogue.vouchers import new_code, not_usable
from rewards.models import EntryKind, Reward, Voucher, VoucherStatus


def _replayed(user: User, key: str | None) -> Voucher | None:
    if not key:
        return None
    return db.session.scalar(select(Voucher).where(Voucher.user_id == user.id, Voucher.idempotency_key == key))


def _take_one(reward: Reward, now: datetime) -> None:
    """Take one item of stock atomically, or say why not."""
    taken = db.session.execute(
        update(Reward)
        .where(Reward.id == reward.id, Reward.active, or_(Reward.valid_until.is_(None), Reward.valid_until > now))
        .where(or_(Reward.stock.is_(None), Reward.stock > 0))
        .values(stock=Reward.stock - 1, redeemed_count=Reward.redeemed_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(reward)
    if not taken:
        raise errors.SoldOut() if is_available(reward, now) else errors.NotAvailable()


def _voucher_expiry(reward: Reward, now: datetime) -> datetime:
    expiry = now + timedelta(days=current_app.config["VOUCHER_VALID_DAYS"])
    return min(expiry, reward.valid_until) if reward.valid_until else expiry


def refusal(reward: Reward, held: int, balance: int, now: datetime) -> type[errors.RewardError] | None:
    """Which rule redeeming would break, in the order redeeming checks them; None when it would succeed.

    `held` is how many live vouchers of this reward the resident has, `balance` their points. Shared
    by `redeem` and by the catalogue, which tells residents beforehand why they cannot redeem.
    """
    if not is_available(reward, now):
        return errors.NotAvailable
    if reward.per_resident_limit is not None and held >= reward.per_resident_limit:
        return errors.LimitReached
    if balance < reward.cost:
        return errors.InsufficientPoints
    return errors.SoldOut if reward.sold_out else None


def redeem(user: User, reward: Reward, idempotency_key: str | None = None, now=None) -> tuple[Voucher, bool]:
    """Spend points on a reward: (voucher, True) when issued now, (voucher, False) for a replayed key."""
    now = now or utcnow()
    lock_resident(user.id)
    if replayed := _replayed(user, idempotency_key):
        return replayed, False
    held = redeemed_by(user, [reward.id]).get(reward.id, 0)
    if (refused := refusal(reward, held, ledger.balance(user.id), now)) and refused is not errors.SoldOut:
        raise refused()
    _take_one(reward, now)  # stock is checked again here, atomically
    voucher = Voucher(
        code=new_code(), reward=reward, user=user, cost=reward.cost, idempotency_key=idempotency_key,
        issued_at=now, expires_at=_voucher_expiry(reward, now),
    )  # fmt: skip
    db.session.add(voucher)
    db.session.flush()
    ledger.post(user.id, -reward.cost, EntryKind.REDEMPTION, "redemption", ("voucher", voucher.id),
                f"voucher:{voucher.id}:redeem", params={"reward": reward.title}, now=now)  # fmt: skip
    return voucher, True


def _close(voucher: Voucher, status: VoucherStatus, reason: str, now: datetime) -> bool:
    """Cancel or expire an issued voucher once: refund its points and put the item back in stock."""
    lock_resident(voucher.user_id)
    closed = db.session.execute(
        update(Voucher)
        .where(Voucher.id == voucher.id, Voucher.status == VoucherStatus.ISSUED)
        .values(status=status, closed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(voucher)
    if not closed:
        return False
    db.session.execute(
        update(Reward)
        .where(Reward.id == voucher.reward_id)
        .values(stock=Reward.stock + 1, redeemed_count=Reward.redeemed_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(voucher.reward)
    ledger.post(voucher.user_id, voucher.cost, EntryKind.REFUND, reason, ("voucher", voucher.id),
                f"voucher:{voucher.id}:refund", params={"reward": voucher.reward.title}, now=now)  # fmt: skip
    return True


def cancel_voucher(voucher: Voucher, user: User, now: datetime | None = None) -> Voucher:
    """The resident gives back an unused, unexpired voucher and gets its points back."""
    now = now or utcnow()
    if voucher.user_id != user.id:
        raise errors.UnknownVoucher()
    if voucher.status == VoucherStatus.ISSUED and voucher.expires_at <= now:
        raise errors.VoucherNotUsable(
            _l("This voucher has expired; its points come back to you automatically."), "expired"
        )
    if not _close(voucher, VoucherStatus.CANCELLED, "voucher_cancelled", now):
        raise not_usable(voucher)
    return voucher


def void_vouchers(user: User, now: datetime) -> int:
    """Void every unused voucher of a resident who deletes their account: back in stock, refunded to the books.

    A partner validating such a code is told it was voided because its holder deleted their account.
    """
    issued = db.session.scalars(
        select(Voucher).where(Voucher.user_id == user.id, Voucher.status == VoucherStatus.ISSUED).order_by(Voucher.id)
    ).all()
    return sum(_close(voucher, VoucherStatus.VOIDED, "voucher_voided", now) for voucher in issued)


def expire_vouchers(now: datetime | None = None) -> int:
    """Refund every issued voucher past its expiry; safe to run twice. Returns how many expired."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Voucher).where(Voucher.status == VoucherStatus.ISSUED, Voucher.expires_at <= now).order_by(Voucher.id)
    ).all()
    lock_residents(voucher.user_id for voucher in due)  # every resident before any voucher or reward row
    return sum(_close(voucher, VoucherStatus.EXPIRED, "voucher_expired", now) for voucher in due)
