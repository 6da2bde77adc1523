"""JSON API of the reward catalogue: rewards, redemption, vouchers, validation and partners.

Lists page with `page` and `per_page` and report totals in the X-Pagination header, like every list
of the API. A resident's points and badges are in rewards/points/api.py and rewards/badges/api.py.
"""

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest import abort
from flask_smorest.pagination import Page

from accounts.models import Role
from app.columns import utcnow
from app.pagination import Blueprint, page_of
from app.security import PUBLIC, api_client, serves
from app.security import viewer as current_viewer
from clients.scopes import VOUCHERS_VALIDATE
from rewards import errors, ledger
from rewards.catalogue import redemption, services, vouchers
from rewards.catalogue.schemas import (
    IdempotencyHeaderSchema,
    PartnerCreateSchema,
    PartnerSchema,
    RewardCreateSchema,
    RewardFilterSchema,
    RewardSchema,
    RewardUpdateSchema,
    VoucherCheckSchema,
    VoucherFilterSchema,
    VoucherSchema,
)
from rewards.models import Reward, Voucher

blp = Blueprint("api_rewards", __name__, url_prefix="/api/v1", description="Rewards")

manager_required = serves(Role.MANAGER)
resident_required = serves(Role.RESIDENT)
validator_required = serves(Role.MANAGER, Role.PARTNER, scopes=(VOUCHERS_VALIDATE,))
# Public reads: anonymous visitors are welcome; logged-in residents also see their own part.
OPTIONAL_AUTH = [{}, {"bearerAuth": []}, {"cookieAuth": []}]
REWARD_OUTPUT = ("id", "partner", "title", "description", "cost", "stock", "sold_out", "per_resident_limit",
                 "valid_until", "active")  # fmt: skip
VOUCHER_OUTPUT = ("code", "status", "reward", "cost", "issued_at", "expires_at", "used_at", "closed_at")


def _refuse(viewer, field: str, message) -> None:
    """401 for anonymous callers, 403 for the rest, naming the query argument not allowed."""
    abort(401 if viewer is None else 403, message=str(message), errors={field: [str(message)]})


# Catalogue ---------------------------------------------------------------------------------


def _shown(rewards: list[Reward], viewer) -> list[dict]:
    """Rewards as the API shows them, with `me` for residents."""
    resident = viewer if viewer is not None and viewer.has_role(Role.RESIDENT) else None
    held = services.redeemed_by(resident, [reward.id for reward in rewards]) if resident else {}
    balance = ledger.balance(resident.id) if resident else 0
    now = utcnow()
    shown = []
    for reward in rewards:
        me = None
        if resident:
            refused = redemption.refusal(reward, held.get(reward.id, 0), balance, now)
            rule = refused.rule if refused else None
            me = {"redeemed": held.get(reward.id, 0), "can_redeem": rule is None, "reason_if_not": rule}
        shown.append({name: getattr(reward, name) for name in REWARD_OUTPUT} | {"me": me})
    return shown


def _visible_reward(reward_id: int, viewer) -> Reward:
    reward = services.get_reward(reward_id)
    if not services.is_available(reward) and not (viewer and viewer.has_role(Role.MANAGER)):
        raise errors.NotFound()
    return reward


@blp.route("/rewards")
class Rewards(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=OPTIONAL_AUTH)
    @blp.arguments(RewardFilterSchema, location="query")
    @blp.response(200, RewardSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """The reward catalogue, cheapest first: what is active and not past its end.

        `affordable=true` keeps what costs no more than your balance (log-in needed, else 401).
        Managers may add `include_unavailable=true` to see inactive and ended rewards too (others
        get 403). Residents see their part in `me`: live vouchers held and whether they can redeem
        now, or the `rule` redeeming would break.
        """
        viewer = current_viewer()
        if filters["include_unavailable"] and not (viewer and viewer.has_role(Role.MANAGER)):
            _refuse(viewer, "include_unavailable", _l("Only managers can list rewards that are not available."))
        if filters["affordable"] and viewer is None:
            _refuse(viewer, "affordable", _l("Log in to see what you can afford."))
        query = services.catalogue_query(
            include_unavailable=filters["include_unavailable"],
            max_cost=ledger.balance(viewer.id) if filters["affordable"] else None,
            partner_id=filters.get("partner_id"),
        )
        return _shown(page_of(query, pagination_parameters), viewer)

    @manager_required
    @blp.arguments(RewardCreateSchema)
    @blp.response(201, RewardSchema)
    def post(self, fields):
        """Add a reward to the catalogue (managers); stock and per-resident limit are null for none."""
        return _shown([services.create_reward(**fields)], current_viewer())[0]


@blp.route("/rewards/<int:reward_id>")
class RewardItem(MethodView):
    @serves(PUBLIC)
    @blp.doc(security=OPTIONAL_AUTH)
    @blp.response(200, RewardSchema)
    def get(self, reward_id):
        """One reward; an unavailable one is a 404 except for managers."""
        viewer = current_viewer()
        return _shown([_visible_reward(reward_id, viewer)], viewer)[0]

    @manager_required
    @blp.arguments(RewardUpdateSchema)
    @blp.response(200, RewardSchema)
    def patch(self, changes, reward_id):
        """Change a reward (managers); only the fields sent change. `stock` sets what is left from now on."""
        return _shown([services.update_reward(services.get_reward(reward_id), **changes)], current_viewer())[0]


@blp.route("/rewards/<int:reward_id>/redeem")
class Redeem(MethodView):
    @resident_required
    @blp.arguments(IdempotencyHeaderSchema, location="headers")
    @blp.response(201, VoucherSchema)
    @blp.alt_response(200, schema=VoucherSchema, description="A repeated Idempotency-Key: the first voucher.")
    def post(self, headers, reward_id):
        """Spend points on a reward (residents) and get a voucher.

        Balance, your limit and the stock are checked and changed together; a refusal is a 409 with
        the `rule` broken: `not_available`, `limit_reached`, `insufficient_points` or `sold_out`.
        With an `Idempotency-Key` header a repeated request spends nothing and answers 200 with the
        first voucher; a key already used for another reward is a 422.
        """
        reward = services.get_reward(reward_id)
        voucher, created = redemption.redeem(current_viewer(), reward, headers.get("idempotency_key"))
        if not created and voucher.reward_id != reward.id:
            message = str(_l("This key was already used to redeem another reward."))
            abort(422, message=message, errors={"Idempotency-Key": [message]})
        return voucher, 201 if created else 200


# My vouchers --------------------------------------------------------------------------------


@blp.route("/me/vouchers")
class MyVouchers(MethodView):
    @resident_required
    @blp.arguments(VoucherFilterSchema, location="query")
    @blp.response(200, VoucherSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Your vouchers (residents): ready-to-use ones first, then the rest, newest first."""
        query = vouchers.vouchers_of(current_viewer())
        if "status" in filters:
            query = query.where(Voucher.status == filters["status"])
        return page_of(query, pagination_parameters)


@blp.route("/me/vouchers/<code>")
class MyVoucher(MethodView):
    @resident_required
    @blp.response(200, VoucherSchema)
    def get(self, code):
        """One of your vouchers by its code (any case; dashes and spaces optional)."""
        return vouchers.own_voucher(current_viewer(), code)


@blp.route("/me/vouchers/<code>/cancel")
class CancelVoucher(MethodView):
    @resident_required
    @blp.response(200, VoucherSchema)
    def post(self, code):
        """Give back an unused voucher before it expires; its points come back as a `refund` entry.

        A used, cancelled or expired voucher is a 409 with the `rule` (`used`, `cancelled`, `expired`).
        """
        viewer = current_viewer()
        return redemption.cancel_voucher(vouchers.own_voucher(viewer, code), viewer)


# Validation by partners --------------------------------------------------------------------


@blp.route("/vouchers/<code>")
class VoucherCheck(MethodView):
    @validator_required
    @blp.response(200, VoucherCheckSchema)
    def get(self, code):
        """Look a voucher up without using it (managers, accounts of the voucher's partner, or its partner's client
        with the `vouchers:validate` scope)."""
        check = vouchers.check_voucher(code, api_client() or current_viewer())
        problem = check.problem and {"rule": check.problem.rule, "message": str(check.problem.message)}
        shown = {name: getattr(check.voucher, name) for name in VOUCHER_OUTPUT}
        return shown | {"usable": check.usable, "problem": problem}


@blp.route("/vouchers/<code>/validate")
class ValidateVoucher(MethodView):
    @validator_required
    @blp.response(200, VoucherSchema)
    def post(self, code):
        """Mark a voucher used, exactly once (managers, accounts of the voucher's partner, or its partner's client
        with the `vouchers:validate` scope).

        After that it is a 409 with rule `used` and the message "Already used on …"; cancelled and
        expired vouchers are 409s too. An unknown code is a 404, another partner's voucher a 403.
        """
        return vouchers.validate_voucher(code, api_client() or current_viewer())


# Partners ---------------------------------------------------------------------------------


@blp.route("/partners")
class Partners(MethodView):
    @manager_required
    @blp.response(200, PartnerSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """The partners who honour vouchers (managers), by name."""
        return services.list_partners()

    @manager_required
    @blp.arguments(PartnerCreateSchema)
    @blp.response(201, PartnerSchema)
    def post(self, fields):
        """Add a partner (managers); names are unique."""
        return services.create_partner(**fields)
