"""A first end-to-end pass through the rewards services."""

from rewards import errors, ledger, services
from rewards.models import VoucherStatus
from tests.rewards.conftest import NOW


def test_redeem_validate_cancel(ctx, make_user, make_reward, fund):
    """A resident redeems, the partner validates once, a second voucher is cancelled and refunded."""
    resident = make_user()
    manager = make_user(role="manager")
    reward = make_reward(stock=2)
    fund(resident.id, 250)
    voucher, created = services.redeem(resident, reward, "k1", now=NOW)
    assert created and ledger.balance(resident.id) == 150
    again, created = services.redeem(resident, reward, "k1", now=NOW)
    assert again.id == voucher.id and not created
    services.validate_voucher(voucher.code.lower(), manager, now=NOW)
    assert voucher.status == VoucherStatus.USED
    try:
        services.validate_voucher(voucher.code, manager, now=NOW)
        raise AssertionError("validated twice")
    except errors.VoucherNotUsable as error:
        assert error.rule == "used"
    second, _ = services.redeem(resident, reward, now=NOW)
    assert reward.stock == 0
    services.cancel_voucher(second, resident, now=NOW)
    assert reward.stock == 1 and ledger.balance(resident.id) == 150
