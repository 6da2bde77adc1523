"""What the catalogue's service tests share: a resident in the test's context, and a refusal to use a voucher."""

import pytest

from rewards import errors


@pytest.fixture
def resident(ctx, make_user):
    return make_user()


def not_usable(call, *args, **kwargs) -> errors.VoucherNotUsable:
    """The VoucherNotUsable that `call(*args, **kwargs)` raises."""
    with pytest.raises(errors.VoucherNotUsable) as caught:
        call(*args, **kwargs)
    return caught.value
