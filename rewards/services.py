"""The reward catalogue, redemption and vouchers: points are spent without ever overspending.

A redemption takes the resident's lock and then the reward's row, and checks balance, per-resident
limit and stock while holding both; every path that touches both keeps the order of app.locks
(residents, then a voucher, then its reward), so concurrent requests queue instead of deadlocking.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from accounts.models import Role, User
from app.columns import utcnow
from app.extensions import db
from app.locks import lock_resident, lock_residents
from rewards import errors, ledger
from rewards.models import EntryKind, Partner, PartnerKind, PartnerMember, Reward, Voucher, VoucherStatus

# Crockford's base32 without I, L, O and U: nothing to misread when a code is typed from paper.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 random bits
MAX_STOCK = 1_000_000
MAX_COST = 1_000_000
REWARD_FIELDS = ("partner_id", "title", "description", "cost", "stock", "per_resident_limit", "valid_until", "active")


# Partners -----------------------------------------------------------------------------------


def list_partners() -> list[Partner]:
    return list(db.session.scalars(select(Partner).order_by(func.lower(Partner.name))))


def create_partner(name: str, kind: PartnerKind = PartnerKind.OTHER) -> Partner:
    """Add a partner; names are unique."""
    name = (name or "").strip()
    if not name:
        raise errors.InvalidFields({"name": _l("Please give the partner's name.")})
    if db.session.scalar(select(Partner.id).where(func.lower(Partner.name) == name.lower())):
        raise errors.InvalidFields({"name": _l("A partner with this name exists already.")})
    partner = Partner(name=name, kind=PartnerKind(kind))
    db.session.add(partner)
    db.session.flush()
    return partner


def add_partner_member(partner: Partner, user: User) -> PartnerMember:
    """Let a user with the partner role validate this partner's vouchers."""
    if user.role != Role.PARTNER:
        raise errors.InvalidFields({"user_id": _l("Only accounts with the partner role can act for a partner.")})
    member = db.session.scalar(
        select(PartnerMember).where(PartnerMember.partner_id == partner.id, PartnerMember.user_id == user.id)
    )
    if member is None:
        member = PartnerMember(partner=partner, user=user)
        db.session.add(member)
        db.session.flush()
    return member


def partners_of(user: User) -> list[int]:
    return list(db.session.scalars(select(PartnerMember.partner_id).where(PartnerMember.user_id == user.id)))


# Catalogue ----------------------------------------------------------------------------------


def _field_errors(values: dict) -> dict:
    problems = {}
    if "title" in values and not (values["title"] or "").strip():
        problems["title"] = _l("Please give the reward a title.")
    if "cost" in values and not (values["cost"] is not None and 0 < values["cost"] <= MAX_COST):
        problems["cost"] = _l("The cost must be between 1 and 1,000,000 points.")
    if values.get("stock") is not None and not 0 <= values["stock"] <= MAX_STOCK:
        problems["stock"] = _l("Stock must be between 0 and 1,000,000, or empty for unlimited.")
    if values.get("per_resident_limit") is not None and not 0 < values["per_resident_limit"] <= MAX_STOCK:
        problems["per_resident_limit"] = _l("The limit must be at least 1, or empty for no limit.")
    if "partner_id" in values and db.session.get(Partner, values["partner_id"] or 0) is None:
        problems["partner_id"] = _l("Please choose a partner from the list.")
    return problems


def create_reward(**fields) -> Reward:
    """Add a reward to the catalogue after checking every field."""
    fields = {name: value for name, value in fields.items() if name in REWARD_FIELDS}
    for required in ("partner_id", "title", "cost"):
        fields.setdefault(required, None)
    if problems := _field_errors(fields):
        raise errors.InvalidFields(problems)
    fields["title"] = fields["title"].strip()
    reward = Reward(**fields)
    db.session.add(reward)
    db.session.flush()
    return reward


def update_reward(reward: Reward, **changes) -> Reward:
    """Change a reward; setting `stock` sets what is left to redeem from now on."""
    changes = {name: value for name, value in changes.items() if name in REWARD_FIELDS}
    if problems := _field_errors(changes):
        raise errors.InvalidFields(problems)
    if "title" in changes:
        changes["title"] = changes["title"].strip()
    for name, value in changes.items():
        setattr(reward, name, value)
    db.session.flush()
    return reward


def get_reward(reward_id: int) -> Reward:
    reward = db.session.get(Reward, reward_id)
    if reward is None:
        raise errors.NotFound()
    return reward


def is_available(reward: Reward, now: datetime | None = None) -> bool:
    """Shown to residents: active and not past its end."""
    now = now or utcnow()
    return reward.active and (reward.valid_until is None or reward.valid_until > now)


def catalogue_query(
    include_unavailable: bool = False, max_cost: int | None = None, partner_id: int | None = None, now=None
):
    """Rewards by cost (cheapest first); residents see only available ones, managers everything."""
    now = now or utcnow()
    query = select(Reward)
    if not include_unavailable:
        query = query.where(Reward.active, or_(Reward.valid_until.is_(None), Reward.valid_until > now))
    if max_cost is not None:
        query = query.where(Reward.cost <= max_cost)
    if partner_id is not None:
        query = query.where(Reward.partner_id == partner_id)
    return query.order_by(Reward.cost, Reward.id)


def redeemed_by(user: User, reward_ids: list[int]) -> dict[int, int]:
    """How many live (issued or used) vouchers the resident holds per reward, for limits shown in the catalogue."""
    if not reward_ids:
        return {}
    rows = db.session.execute(
        select(Voucher.reward_id, func.count())
        .where(Voucher.user_id == user.id, Voucher.reward_id.in_(reward_ids), Voucher.status.in_(LIVE_VOUCHERS))
        .group_by(Voucher.reward_id)
    )
    return dict(rows.all())


# Redemption ---------------------------------------------------------------------------------

LIVE_VOUCHERS = (VoucherStatus.ISSUED, VoucherStatus.USED)


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str:
    """The code as stored, from what someone typed: any case, spaces or dashes, O for 0, I or L for 1."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


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
        raise _not_usable(voucher)
    return voucher


def expire_vouchers(now: datetime | None = None) -> int:
    """Refund every issued voucher past its expiry; safe to run twice. Returns how many expired."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Voucher).where(Voucher.status == VoucherStatus.ISSUED, Voucher.expires_at <= now).order_by(Voucher.id)
    ).all()
    lock_residents(voucher.user_id for voucher in due)  # every resident before any voucher or reward row
    return sum(_close(voucher, VoucherStatus.EXPIRED, "voucher_expired", now) for voucher in due)


def vouchers_of(user: User):
    """The resident's vouchers: issued ones first, then the rest, newest first."""
    unused_first = (Voucher.status != VoucherStatus.ISSUED).asc()
    return (
        select(Voucher)
        .where(Voucher.user_id == user.id)
        .order_by(unused_first, Voucher.issued_at.desc(), Voucher.id.desc())
    )


def find_voucher(code: str) -> Voucher | None:
    return db.session.scalar(select(Voucher).where(Voucher.code == normalise_code(code)))


def own_voucher(user: User, code: str) -> Voucher:
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


def _may_validate(voucher: Voucher, validator: User) -> None:
    if validator.has_role(Role.MANAGER):
        return
    if validator.role != Role.PARTNER or voucher.reward.partner_id not in partners_of(validator):
        raise errors.NotYourPartner()


def _not_usable(voucher: Voucher) -> errors.VoucherNotUsable:
    return errors.voucher_not_usable(voucher, voucher.status.value)


def check_voucher(code: str, validator: User, now: datetime | None = None) -> Check:
    """Look a code up for a partner without using it."""
    now = now or utcnow()
    voucher = find_voucher(code)
    if voucher is None:
        raise errors.UnknownVoucher()
    _may_validate(voucher, validator)
    if voucher.status == VoucherStatus.ISSUED and voucher.expires_at > now:
        return Check(voucher, True, None)
    return Check(voucher, False, _expired_or_not_usable(voucher, now))


def _expired_or_not_usable(voucher: Voucher, now: datetime) -> errors.VoucherNotUsable:
    if voucher.status == VoucherStatus.ISSUED and voucher.expires_at <= now:
        return errors.voucher_not_usable(voucher, "expired")
    return _not_usable(voucher)


def validate_voucher(code: str, validator: User, now: datetime | None = None) -> Voucher:
    """Mark a voucher used, exactly once: of two partners scanning it at the same moment, one succeeds."""
    now = now or utcnow()
    voucher = find_voucher(code)
    if voucher is None:
        raise errors.UnknownVoucher()
    _may_validate(voucher, validator)
    used = db.session.execute(
        update(Voucher)
        .where(Voucher.id == voucher.id, Voucher.status == VoucherStatus.ISSUED, Voucher.expires_at > now)
        .values(status=VoucherStatus.USED, used_at=now, validated_by_id=validator.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(voucher)
    if not used:
        raise _expired_or_not_usable(voucher, now)
    return voucher
