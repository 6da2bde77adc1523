"""Vouchers: their codes, a resident's own, and partners looking a code up and accepting it exactly once."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from accounts.models import Role, User
from app.columns import utcnow
from app.extensions import db
from clients.models import OrganisationClient
from rewards import errors
from rewards.catalogue.services import partners_of
from rewards.models import Voucher, VoucherStatus

# Crockford's base32 without I, L, O and U: nothing to misread when a code is typed from paper.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 random bits


def new_code() -> str:
    """A fresh, unguessable code in groups of four: 7K3M-…"""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str:
    """The code as stored, from what someone typed: any case, spaces or dashes, O for 0, I or L for 1."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


def vouchers_of(user: User):
    """The resident's vouchers: issued ones first, then the rest, newest first."""
    unused_first = (Voucher.status != VoucherStatus.ISSUED).asc()
    return (
        select(Voucher)
        .where(Voucher.user_id == user.id)
        .order_by(unused_first, Voucher.issued_at.desc(), Voucher.id.desc())
    )


def find_voucher(code: str) -> Voucher | None:
    """The voucher of a code as someone typed it, or None."""
    return db.session.scalar(select(Voucher).where(Voucher.code == normalise_code(code)))


def own_voucher(user: User, code: str) -> Voucher:
    """One of the resident's own vouchers; anyone else's is unknown, so codes cannot be probed."""
    voucher = find_voucher(code)
    if voucher is None or voucher.user_id != user.id:
        raise errors.UnknownVoucher()
    return voucher


# Validation by partners ---------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """What a partner sees for a code before accepting it."""

    voucher: Voucher
    usable: bool
    problem: errors.VoucherNotUsable | None


def _to_validate(code: str, validator: User | OrganisationClient) -> Voucher:
    """The voucher of `code` if `validator` may accept it: a manager, its partner's account or its partner's client
    (a till), never its holder."""
    voucher = find_voucher(code)
    if voucher is None:
        raise errors.UnknownVoucher()
    if isinstance(validator, OrganisationClient):
        if validator.partner_id is None or voucher.reward.partner_id != validator.partner_id:
            raise errors.NotYourPartner()
        return voucher
    if voucher.user_id == validator.id:
        raise errors.OwnVoucher()  # whatever the role: no one earns and spends for themselves
    if validator.has_role(Role.MANAGER):
        return voucher
    if validator.role != Role.PARTNER or voucher.reward.partner_id not in partners_of(validator):
        raise errors.NotYourPartner()
    return voucher


def not_usable(voucher: Voucher) -> errors.VoucherNotUsable:
    """Why a voucher no longer issued cannot be used: used, cancelled or expired, with the date."""
    return errors.voucher_not_usable(voucher, voucher.status.value)


def check_voucher(code: str, validator: User | OrganisationClient, now: datetime | None = None) -> Check:
    """Look a code up for a partner without using it."""
    now = now or utcnow()
    voucher = _to_validate(code, validator)
    if voucher.status == VoucherStatus.ISSUED and voucher.expires_at > now:
        return Check(voucher, True, None)
    return Check(voucher, False, _expired_or_not_usable(voucher, now))


def _expired_or_not_usable(voucher: Voucher, now: datetime) -> errors.VoucherNotUsable:
    if voucher.status == VoucherStatus.ISSUED and voucher.expires_at <= now:
        return errors.voucher_not_usable(voucher, "expired")
    return not_usable(voucher)


def validate_voucher(code: str, validator: User | OrganisationClient, now: datetime | None = None) -> Voucher:
    """Mark a voucher used, exactly once: of two partners scanning it at the same moment, one succeeds."""
    now = now or utcnow()
    voucher = _to_validate(code, validator)
    by_client = isinstance(validator, OrganisationClient)
    used = db.session.execute(
        update(Voucher)
        .where(Voucher.id == voucher.id, Voucher.status == VoucherStatus.ISSUED, Voucher.expires_at > now)
        .values(
            status=VoucherStatus.USED,
            used_at=now,
            validated_by_id=None if by_client else validator.id,
            validated_by_client_id=validator.id if by_client else None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(voucher)
    if not used:
        raise _expired_or_not_usable(voucher, now)
    return voucher
