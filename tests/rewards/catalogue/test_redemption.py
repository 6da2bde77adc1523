"""Redeeming rewards and giving vouchers back: every refusal, idempotency, cancel and expiry."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import Role
from app.extensions import db
from rewards import display, errors, ledger
from rewards.catalogue import redemption, services, vouchers
from rewards.models import EntryKind, LedgerEntry, Voucher, VoucherStatus
from tests.rewards.catalogue.conftest import not_usable
from tests.rewards.conftest import NOW


def _vouchers() -> int:
    return db.session.scalar(select(func.count(Voucher.id)))


def _refused(error_class, user, reward, now=NOW):
    """Redeem expecting a refusal; nothing may be booked or taken from stock."""
    before = (ledger.balance(user.id), reward.stock, reward.redeemed_count, _vouchers())
    with pytest.raises(error_class) as caught:
        redemption.redeem(user, reward, now=now)
    db.session.rollback()
    db.session.refresh(reward)
    assert (ledger.balance(user.id), reward.stock, reward.redeemed_count, _vouchers()) == before
    return caught.value


# Redeeming -------------------------------------------------------------------------------------


def test_redeem_debits_the_cost_and_takes_stock(resident, make_reward, fund):
    """A redemption is a `redemption` entry of minus the cost, one item less in stock, an issued voucher."""
    reward = make_reward(cost=120, stock=5)
    fund(resident.id, 200)
    voucher, created = redemption.redeem(resident, reward, now=NOW)
    db.session.commit()
    assert created and voucher.status == VoucherStatus.ISSUED and voucher.cost == 120
    assert (reward.stock, reward.redeemed_count) == (4, 1)
    entry = ledger.find(f"voucher:{voucher.id}:redeem")
    assert (entry.amount, entry.kind, entry.user_id) == (-120, EntryKind.REDEMPTION, resident.id)
    assert ledger.balance(resident.id) == 80
    assert voucher.expires_at == NOW + timedelta(days=90)


def test_redeem_without_enough_points(resident, make_reward, fund):
    """One point short is refused with InsufficientPoints; the exact cost is enough."""
    reward = make_reward(cost=100)
    fund(resident.id, 99)
    _refused(errors.InsufficientPoints, resident, reward)
    fund(resident.id, 1)
    redemption.redeem(resident, reward, now=NOW)
    assert ledger.balance(resident.id) == 0


def test_redeem_sold_out(resident, make_reward, fund):
    """The last item goes to the first; then SoldOut, and stock stays at zero."""
    reward = make_reward(stock=1)
    fund(resident.id, 500)
    redemption.redeem(resident, reward, now=NOW)
    db.session.commit()
    assert reward.sold_out
    error = _refused(errors.SoldOut, resident, reward)
    assert error.rule == "sold_out" and error.status == 409
    assert reward.stock == 0


def test_redeem_limit_per_resident(resident, make_user, make_reward, fund):
    """A resident may hold `per_resident_limit` live vouchers; a cancelled one no longer counts."""
    reward = make_reward(per_resident_limit=2)
    fund(resident.id, 1000)
    first, _ = redemption.redeem(resident, reward, now=NOW)
    redemption.redeem(resident, reward, now=NOW)
    db.session.commit()
    _refused(errors.LimitReached, resident, reward)
    other = make_user()
    fund(other.id, 100)
    redemption.redeem(other, reward, now=NOW)  # the limit is per resident
    redemption.cancel_voucher(first, resident, now=NOW)
    db.session.commit()
    redemption.redeem(resident, reward, now=NOW)


def test_used_vouchers_count_towards_the_limit(resident, make_user, make_reward, fund):
    """Using a voucher does not free its place under the limit."""
    reward = make_reward(per_resident_limit=1)
    fund(resident.id, 1000)
    voucher, _ = redemption.redeem(resident, reward, now=NOW)
    vouchers.validate_voucher(voucher.code, make_user(role=Role.MANAGER), now=NOW)
    db.session.commit()
    _refused(errors.LimitReached, resident, reward)


def test_redeem_unavailable(resident, make_reward, fund):
    """An inactive reward, or one past its end, is NotAvailable, even with stock and points."""
    fund(resident.id, 500)
    cases = [
        ({"active": False}, NOW),
        ({"valid_until": NOW}, NOW),
        ({"valid_until": NOW + timedelta(days=1)}, NOW + timedelta(days=2)),
    ]
    for fields, now in cases:
        error = _refused(errors.NotAvailable, resident, make_reward(stock=3, **fields), now=now)
        assert error.rule == "not_available"


def test_unlimited_stock_stays_unlimited(resident, make_reward, fund):
    """A reward without stock counts redemptions but never sells out."""
    reward = make_reward(cost=10, stock=None)
    fund(resident.id, 50)
    for _ in range(5):
        redemption.redeem(resident, reward, now=NOW)
    db.session.commit()
    assert (reward.stock, reward.redeemed_count, reward.sold_out) == (None, 5, False)
    _refused(errors.InsufficientPoints, resident, reward)


def test_idempotency_key_replays_the_first_voucher(resident, make_user, make_reward, fund):
    """The same key returns the same voucher and books nothing more; another key redeems again."""
    reward = make_reward(cost=50, stock=10)
    fund(resident.id, 120)
    voucher, created = redemption.redeem(resident, reward, "key-1", now=NOW)
    db.session.commit()
    again, created_again = redemption.redeem(resident, reward, "key-1", now=NOW + timedelta(minutes=1))
    db.session.commit()
    assert created and not created_again and again.id == voucher.id
    assert ledger.balance(resident.id) == 70 and reward.stock == 9
    redemption.redeem(resident, reward, "key-2", now=NOW)
    assert ledger.balance(resident.id) == 20
    other = make_user()
    fund(other.id, 50)
    theirs, created = redemption.redeem(other, reward, "key-1", now=NOW)
    assert created and theirs.id != voucher.id, "keys are per resident"


def test_replay_is_answered_even_when_a_new_redemption_would_fail(resident, make_reward, fund):
    """A retried request gets its voucher, not "sold out", after it took the last item."""
    reward = make_reward(stock=1)
    fund(resident.id, 100)
    voucher, _ = redemption.redeem(resident, reward, "k", now=NOW)
    db.session.commit()
    assert redemption.redeem(resident, reward, "k", now=NOW) == (voucher, False)


# Cancel and expiry -----------------------------------------------------------------------------


def test_cancel_refunds_and_restocks(resident, make_reward, fund):
    """Cancelling an issued voucher gives a `refund` entry of its cost and puts the item back."""
    reward = make_reward(cost=100, stock=1)
    fund(resident.id, 100)
    voucher, _ = redemption.redeem(resident, reward, now=NOW)
    db.session.commit()
    services.update_reward(reward, cost=300)  # the refund is what was paid, not today's price
    redemption.cancel_voucher(voucher, resident, now=NOW + timedelta(days=1))
    db.session.commit()
    assert voucher.status == VoucherStatus.CANCELLED and voucher.closed_at == NOW + timedelta(days=1)
    assert (reward.stock, reward.redeemed_count) == (1, 0)
    refund = ledger.find(f"voucher:{voucher.id}:refund")
    assert (refund.amount, refund.kind, refund.reason) == (100, EntryKind.REFUND, "voucher_cancelled")
    assert ledger.balance(resident.id) == 100
    error = not_usable(redemption.cancel_voucher, voucher, resident, now=NOW)
    assert error.rule == "cancelled" and "cancelled on" in str(error.message)
    assert ledger.balance(resident.id) == 100


def test_cancel_refused_for_used_expired_and_others(resident, make_user, make_reward, fund):
    """Used and expired vouchers cannot be cancelled, each with its message; another's is unknown."""
    manager = make_user(role=Role.MANAGER)
    reward = make_reward(cost=10)
    fund(resident.id, 100)
    used, _ = redemption.redeem(resident, reward, now=NOW)
    old, _ = redemption.redeem(resident, reward, now=NOW)
    vouchers.validate_voucher(used.code, manager, now=NOW)
    db.session.commit()
    error = not_usable(redemption.cancel_voucher, used, resident, now=NOW)
    assert error.rule == "used" and str(error.message) == f"Already used on {display.when(used.used_at)}."
    later = old.expires_at
    error = not_usable(redemption.cancel_voucher, old, resident, now=later)
    assert error.rule == "expired" and "expired" in str(error.message)
    with pytest.raises(errors.UnknownVoucher):
        redemption.cancel_voucher(old, make_user(), now=NOW)
    db.session.rollback()
    assert ledger.balance(resident.id) == 80
    assert {v.status for v in (used, old)} == {VoucherStatus.USED, VoucherStatus.ISSUED}


def test_expire_vouchers_refunds_once(resident, make_reward, fund):
    """The job refunds each voucher past its expiry once, however often it runs."""
    reward = make_reward(cost=40, stock=2)
    fund(resident.id, 100)
    early, _ = redemption.redeem(resident, reward, now=NOW)
    late, _ = redemption.redeem(resident, reward, now=NOW + timedelta(days=10))
    db.session.commit()
    assert redemption.expire_vouchers(now=early.expires_at - timedelta(seconds=1)) == 0
    assert redemption.expire_vouchers(now=early.expires_at) == 1
    db.session.commit()
    assert redemption.expire_vouchers(now=early.expires_at) == 0
    db.session.commit()
    assert early.status == VoucherStatus.EXPIRED and late.status == VoucherStatus.ISSUED
    assert ledger.balance(resident.id) == 60 and reward.stock == 1
    refunds = db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.REFUND)).all()
    assert [(r.amount, r.reason) for r in refunds] == [(40, "voucher_expired")]


def test_expiry_leaves_used_and_cancelled_vouchers_alone(resident, make_user, make_reward, fund):
    """Only issued vouchers expire: a used or cancelled one is not refunded a second time."""
    reward = make_reward(cost=10)
    fund(resident.id, 100)
    used, _ = redemption.redeem(resident, reward, now=NOW)
    cancelled, _ = redemption.redeem(resident, reward, now=NOW)
    vouchers.validate_voucher(used.code, make_user(role=Role.MANAGER), now=NOW)
    redemption.cancel_voucher(cancelled, resident, now=NOW)
    db.session.commit()
    assert redemption.expire_vouchers(now=NOW + timedelta(days=365)) == 0
    assert ledger.balance(resident.id) == 90


def test_valid_until_limits_the_voucher(resident, make_user, make_reward, fund):
    """A voucher of a reward ending in 10 days expires with it, and cannot be used after."""
    ends = NOW + timedelta(days=10)
    reward = make_reward(valid_until=ends)
    fund(resident.id, 100)
    voucher, _ = redemption.redeem(resident, reward, now=NOW)
    db.session.commit()
    assert voucher.expires_at == ends
    error = not_usable(vouchers.validate_voucher, voucher.code,
                          make_user(role=Role.MANAGER), now=ends)  # fmt: skip
    assert error.rule == "expired"
    assert voucher.status == VoucherStatus.ISSUED
