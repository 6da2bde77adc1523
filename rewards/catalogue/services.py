"""The reward catalogue: partners and the accounts acting for them, rewards, and what residents may see."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from accounts.models import Role, User
from app.columns import utcnow
from app.extensions import db
from rewards import errors
from rewards.models import Partner, PartnerKind, PartnerMember, Reward, Voucher, VoucherStatus

MAX_STOCK = 1_000_000
MAX_COST = 1_000_000
REWARD_FIELDS = ("partner_id", "title", "description", "cost", "stock", "per_resident_limit", "valid_until", "active")


# Partners -----------------------------------------------------------------------------------


def list_partners() -> list[Partner]:
    """Every partner, by name."""
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
    """Ids of the partners a partner account acts for."""
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
    """One reward by id, or NotFound."""
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


LIVE_VOUCHERS = (VoucherStatus.ISSUED, VoucherStatus.USED)


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
