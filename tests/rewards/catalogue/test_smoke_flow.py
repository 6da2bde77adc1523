"""A first end-to-end pass through the rewards services."""

from rewards import errors, ledger
from rewards.catalogue import redemption, vouchers
from rewards.models import VoucherStatus
from tests.rewards.conftest import NOW


def test_redeem_validate_cancel(ctx, make_user, make_reward, fund):
    """A resident redeems, the partner validates once, a second voucher is cancelled and refunded."""
    resident = make_user()
    manager = make_user(role="manager")
    reward = make_reward(stock=2)
    fund(resident.id, 250)
    voucher, created = redemption.redeem(resident, reward, "k1", now=NOW)
    assert created and ledger.balance(resident.id) == 150
    again, created = redemption.redeem(resident, reward, "k1", now=NOW)
    assert again.id == voucher.id and not created
    vouchers.validate_voucher(voucher.code.lower(), manager, now=NOW)
    assert voucher.status == VoucherStatus.USED
    try:
        vouchers.validate_voucher(voucher.code, manager, now=NOW)
        raise AssertionError("validated twice")
    except errors.VoucherNotUsable as error:
        assert error.rule == "used"
    second, _ = redemption.redeem(resident, reward, now=NOW)
    assert reward.stock == 0
    redemption.cancel_voucher(second, resident, now=NOW)
    assert reward.stock == 1 and ledger.balance(resident.id) == 150
