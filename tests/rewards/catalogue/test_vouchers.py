"""Vouchers: codes that cannot be misread, finding one as typed, and partners accepting it exactly once."""

import re
from datetime import timedelta

import pytest

from accounts.models import Role
from app.extensions import db
from rewards import display, errors
from rewards.catalogue import redemption, services, vouchers
from rewards.models import VoucherStatus
from tests.rewards.catalogue.conftest import not_usable
from tests.rewards.conftest import NOW

CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


# Codes -----------------------------------------------------------------------------------------


def test_codes_are_unambiguous_and_unique():
    """16 characters of Crockford's alphabet without I, L, O, U, in groups of four; no repeats."""
    codes = {vouchers.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(CODE.match(code) for code in codes)


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("abcd-efgh-jkmn-pqrs", "ABCD-EFGH-JKMN-PQRS"),
        ("ABCD EFGH  JKMN PQRS", "ABCD-EFGH-JKMN-PQRS"),
        ("o0o0-0000-0000-0000", "0000-0000-0000-0000"),
        ("IiLl-1111-1111-1111", "1111-1111-1111-1111"),
        (" ab-cd\tef ", "ABCD-EF"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_code(typed, stored):
    """Any case, spaces and dashes anywhere; O reads as 0, I and L as 1."""
    assert vouchers.normalise_code(typed) == stored


def test_a_code_typed_from_paper_finds_the_voucher(resident, make_reward, fund):
    """Lower case, spaces for dashes, O for 0 and l for 1 still find the voucher."""
    reward = make_reward(cost=1)
    fund(resident.id, 50)
    issued = [redemption.redeem(resident, reward, now=NOW)[0] for _ in range(20)]
    db.session.commit()
    for voucher in issued:
        typed = voucher.code.lower().replace("-", " ").replace("0", "O").replace("1", "l")
        assert vouchers.find_voucher(typed).id == voucher.id
        assert vouchers.own_voucher(resident, typed).id == voucher.id
    assert vouchers.find_voucher("ZZZZ-ZZZZ-ZZZZ-ZZZU") is None


# Validation by partners ------------------------------------------------------------------------


@pytest.fixture
def issued(resident, make_partner, make_reward, fund):
    """An issued voucher of the partner "Pool"."""
    pool = make_partner("Pool")
    fund(resident.id, 100)
    voucher, _ = redemption.redeem(resident, make_reward(partner=pool), now=NOW)
    db.session.commit()
    return voucher


def test_validate_exactly_once(issued, make_user):
    """The first validation marks it used with who and when; the second says "Already used on …"."""
    manager = make_user(role=Role.MANAGER)
    check = vouchers.check_voucher(issued.code, manager, now=NOW)
    assert check.usable and check.problem is None
    vouchers.validate_voucher(issued.code, manager, now=NOW + timedelta(hours=1))
    db.session.commit()
    assert issued.status == VoucherStatus.USED and issued.validated_by_id == manager.id
    assert issued.used_at == NOW + timedelta(hours=1)
    error = not_usable(vouchers.validate_voucher, issued.code, manager, now=NOW)
    assert error.rule == "used" and str(error.message).startswith("Already used on ")
    assert display.when(issued.used_at) in str(error.message)
    check = vouchers.check_voucher(issued.code, manager, now=NOW)
    assert not check.usable and check.problem.rule == "used"


def test_unknown_code(ctx, make_user):
    """A code nobody holds is UnknownVoucher, for validating and checking."""
    manager = make_user(role=Role.MANAGER)
    with pytest.raises(errors.UnknownVoucher):
        vouchers.validate_voucher("AAAA-BBBB-CCCC-DDDD", manager, now=NOW)
    with pytest.raises(errors.UnknownVoucher):
        vouchers.check_voucher("", manager, now=NOW)


def test_partner_accounts_validate_only_their_partners_vouchers(issued, make_user, make_partner):
    """A partner account of another partner is refused; a resident too; a member of the right one succeeds."""
    museum = make_partner("Museum")
    outsider = make_user(role=Role.PARTNER)
    services.add_partner_member(museum, outsider)
    db.session.commit()
    with pytest.raises(errors.NotYourPartner):
        vouchers.validate_voucher(issued.code, outsider, now=NOW)
    with pytest.raises(errors.NotYourPartner):
        vouchers.check_voucher(issued.code, outsider, now=NOW)
    with pytest.raises(errors.NotYourPartner):
        vouchers.validate_voucher(issued.code, make_user(), now=NOW)
    with pytest.raises(errors.NotYourPartner):
        vouchers.validate_voucher(issued.code, make_user(role=Role.PARTNER), now=NOW)  # of no partner
    db.session.rollback()
    assert issued.status == VoucherStatus.ISSUED
    member = make_user(role=Role.PARTNER)
    services.add_partner_member(issued.reward.partner, member)
    vouchers.validate_voucher(issued.code, member, now=NOW)
    assert issued.status == VoucherStatus.USED and issued.validated_by_id == member.id


def test_managers_and_admins_validate_any_partners_voucher(issued, make_user, make_reward, fund):
    """Managers (and admins, who pass every role check) may validate for every partner."""
    vouchers.validate_voucher(issued.code, make_user(role=Role.MANAGER), now=NOW)
    assert issued.status == VoucherStatus.USED
    fund(issued.user_id, 100)
    other, _ = redemption.redeem(issued.user, make_reward(), now=NOW)
    vouchers.validate_voucher(other.code, make_user(role=Role.ADMIN), now=NOW)
    assert other.status == VoucherStatus.USED


def test_only_partner_accounts_become_members(ctx, make_user, make_partner):
    """Adding a resident or manager as a partner member is refused; adding a partner twice is one membership."""
    pool = make_partner("Pool")
    for role in (Role.RESIDENT, Role.MANAGER):
        with pytest.raises(errors.InvalidFields):
            services.add_partner_member(pool, make_user(role=role))
    partner_user = make_user(role=Role.PARTNER)
    first = services.add_partner_member(pool, partner_user)
    assert services.add_partner_member(pool, partner_user).id == first.id
    assert services.partners_of(partner_user) == [pool.id]
