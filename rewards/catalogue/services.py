"""The reward catalogue: partners and the accounts acting for them, rewards, and what residents may see."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from accounts.models import Role, User
from app.bilingual import as_twins, missing_both, stripped
from app.columns import utcnow
from app.extensions import db
from rewards import errors
from rewards.models import Partner, PartnerKind, PartnerMember, Reward, Voucher, VoucherStatus

MAX_STOCK = 1_000_000
MAX_COST = 1_000_000
MAX_NAME = 120
REWARD_FIELDS = (
    "partner_id", "title_en", "title_de", "description_en", "description_de", "cost", "stock", "per_resident_limit",
    "valid_until", "active",
)  # fmt: skip
# Written in English, German or both (app.bilingual); `title` / `description` from older callers mean English.
BILINGUAL = ("title", "description")


# Partners -----------------------------------------------------------------------------------


def list_partners() -> list[Partner]:
    """Every partner, by name."""
    return list(db.session.scalars(select(Partner).order_by(func.lower(Partner.name_en))))


def create_partner(name: str, kind: PartnerKind = PartnerKind.OTHER, name_de: str = "") -> Partner:
    """Add a partner; `name` is its name in English (unique), `name_de` the German one where it differs."""
    name, name_de = (name or "").strip(), (name_de or "").strip()
    if not name:
        raise errors.InvalidFields({"name": _l("Please give the partner's name.")})
    if len(name_de) > MAX_NAME:
        raise errors.InvalidFields({"name_de": _l("At most 120 characters.")})
    # Compared in Python: SQLite's lower() folds only ASCII, so "Ärztehaus" would pass its check and then hit the
    # unique constraint. A city has dozens of partners, not thousands.
    if name.casefold() in {existing.casefold() for existing in db.session.scalars(select(Partner.name_en))}:
        raise errors.InvalidFields({"name": _l("A partner with this name exists already.")})
    partner = Partner(name_en=name, name_de=name_de, kind=PartnerKind(kind))
    try:
        with db.session.begin_nested():  # a second request adding the same name at the same moment
            db.session.add(partner)
    except IntegrityError:
        raise errors.InvalidFields({"name": _l("A partner with this name exists already.")}) from None
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
    if ("title_en" in values or "title_de" in values) and missing_both(values, "title"):
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
    fields = {"title_en": "", **as_twins(fields, BILINGUAL)}  # a title is needed, in one language at least
    fields = stripped({name: value for name, value in fields.items() if name in REWARD_FIELDS}, BILINGUAL)
    for required in ("partner_id", "cost"):
        fields.setdefault(required, None)
    if problems := _field_errors(fields):
        raise errors.InvalidFields(problems)
    reward = Reward(**fields)
    db.session.add(reward)
    db.session.flush()
    return reward


def update_reward(reward: Reward, **changes) -> Reward:
    """Change a reward; setting `stock` sets what is left to redeem from now on."""
    changes = stripped({name: value for name, value in as_twins(changes, BILINGUAL).items() if name in REWARD_FIELDS},
                       BILINGUAL)  # fmt: skip
    if problems := _field_errors({**_titles_of(reward), **changes}):
        raise errors.InvalidFields(problems)
    for name, value in changes.items():
        setattr(reward, name, value)
    db.session.flush()
    return reward


def _titles_of(reward: Reward) -> dict:
    return {"title_en": reward.title_en, "title_de": reward.title_de}


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
