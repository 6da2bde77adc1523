"""JSON API of rewards: catalogue, redemption, vouchers, validation, the ledger, badges and partners.

Lists page with `page` and `per_page` and report totals in the X-Pagination header, like every list
of the API. `/me/ledger` answers an object (balance, level and the page's `entries`), as the
leaderboards do, so the summary sits beside the page; its X-Pagination counts the entries.
"""

import re
from datetime import datetime, time, timedelta
from functools import wraps
from zoneinfo import ZoneInfo

from flask import Response, current_app, request, stream_with_context, url_for
from flask.views import MethodView
from flask_babel import force_locale, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import abort
from flask_smorest.pagination import Page
from werkzeug.routing import BuildError

from app.accounts.models import Role
from app.accounts.roles import role_required
from app.columns import utcnow
from app.pagination import Blueprint, page_arguments_schema, page_of
from rewards import badges, display, errors, ledger, services
from rewards.models import Reward, Voucher
from rewards.schemas import (
    BadgeAwardSchema,
    BadgeUpdateSchema,
    IdempotencyHeaderSchema,
    LedgerArgumentsSchema,
    LedgerSchema,
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

blp = Blueprint("api_rewards", __name__, url_prefix="/api/v1", description="Rewards")

manager_required = role_required(Role.MANAGER)
resident_required = role_required(Role.RESIDENT)
validator_required = role_required(Role.MANAGER, Role.PARTNER)
# Public reads: anonymous visitors are welcome; logged-in residents also see their own part.
OPTIONAL_AUTH = [{}, {"bearerAuth": []}, {"cookieAuth": []}]
REWARD_OUTPUT = ("id", "partner", "title", "description", "cost", "stock", "sold_out", "per_resident_limit",
                 "valid_until", "active")  # fmt: skip
VOUCHER_OUTPUT = ("code", "status", "reward", "cost", "issued_at", "expires_at", "used_at", "closed_at")
BADGE_UID = re.compile(r"[0-9a-f]{1,32}")
LEDGER_PER_PAGE, LEDGER_MAX_PER_PAGE = 20, 100
LEDGER_PAGE_ARGUMENTS = page_arguments_schema(LEDGER_PER_PAGE, LEDGER_MAX_PER_PAGE)
CSV_DOC = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}


def answers_domain_errors(view):
    """Turn the services' domain errors into the API's one error format."""

    @wraps(view)
    def answering(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except errors.RewardError as error:
            _abort_for(error)

    return answering


def _abort_for(error: errors.RewardError):
    message = str(error.message)
    if isinstance(error, errors.InvalidFields):
        abort(422, message=message, errors={field: [str(text)] for field, text in error.errors.items()})
    abort(error.status, message=message, rule=error.rule, errors={error.field: [message]} if error.field else None)


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


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
            refused = services.refusal(reward, held.get(reward.id, 0), balance, now)
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
    decorators = [answers_domain_errors]

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
        viewer = _viewer()
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
        return _shown([services.create_reward(**fields)], _viewer())[0]


@blp.route("/rewards/<int:reward_id>")
class RewardItem(MethodView):
    decorators = [answers_domain_errors]

    @blp.doc(security=OPTIONAL_AUTH)
    @blp.response(200, RewardSchema)
    def get(self, reward_id):
        """One reward; an unavailable one is a 404 except for managers."""
        viewer = _viewer()
        return _shown([_visible_reward(reward_id, viewer)], viewer)[0]

    @manager_required
    @blp.arguments(RewardUpdateSchema)
    @blp.response(200, RewardSchema)
    def patch(self, changes, reward_id):
        """Change a reward (managers); only the fields sent change. `stock` sets what is left from now on."""
        return _shown([services.update_reward(services.get_reward(reward_id), **changes)], _viewer())[0]


@blp.route("/rewards/<int:reward_id>/redeem")
class Redeem(MethodView):
    decorators = [answers_domain_errors]

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
        voucher, created = services.redeem(_viewer(), reward, headers.get("idempotency_key"))
        if not created and voucher.reward_id != reward.id:
            message = str(_l("This key was already used to redeem another reward."))
            abort(422, message=message, errors={"Idempotency-Key": [message]})
        return voucher, 201 if created else 200


# My vouchers --------------------------------------------------------------------------------


@blp.route("/me/vouchers")
class MyVouchers(MethodView):
    decorators = [answers_domain_errors]

    @resident_required
    @blp.arguments(VoucherFilterSchema, location="query")
    @blp.response(200, VoucherSchema(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Your vouchers (residents): ready-to-use ones first, then the rest, newest first."""
        query = services.vouchers_of(_viewer())
        if "status" in filters:
            query = query.where(Voucher.status == filters["status"])
        return page_of(query, pagination_parameters)


@blp.route("/me/vouchers/<code>")
class MyVoucher(MethodView):
    decorators = [answers_domain_errors]

    @resident_required
    @blp.response(200, VoucherSchema)
    def get(self, code):
        """One of your vouchers by its code (any case; dashes and spaces optional)."""
        return services.own_voucher(_viewer(), code)


@blp.route("/me/vouchers/<code>/cancel")
class CancelVoucher(MethodView):
    decorators = [answers_domain_errors]

    @resident_required
    @blp.response(200, VoucherSchema)
    def post(self, code):
        """Give back an unused voucher before it expires; its points come back as a `refund` entry.

        A used, cancelled or expired voucher is a 409 with the `rule` (`used`, `cancelled`, `expired`).
        """
        viewer = _viewer()
        return services.cancel_voucher(services.own_voucher(viewer, code), viewer)


# Validation by partners --------------------------------------------------------------------


@blp.route("/vouchers/<code>")
class VoucherCheck(MethodView):
    decorators = [answers_domain_errors]

    @validator_required
    @blp.response(200, VoucherCheckSchema)
    def get(self, code):
        """Look a voucher up without using it (managers, or accounts of the voucher's partner)."""
        check = services.check_voucher(code, _viewer())
        problem = check.problem and {"rule": check.problem.rule, "message": str(check.problem.message)}
        shown = {name: getattr(check.voucher, name) for name in VOUCHER_OUTPUT}
        return shown | {"usable": check.usable, "problem": problem}


@blp.route("/vouchers/<code>/validate")
class ValidateVoucher(MethodView):
    decorators = [answers_domain_errors]

    @validator_required
    @blp.response(200, VoucherSchema)
    def post(self, code):
        """Mark a voucher used, exactly once (managers, or accounts of the voucher's partner).

        After that it is a 409 with rule `used` and the message "Already used on …"; cancelled and
        expired vouchers are 409s too. An unknown code is a 404, another partner's voucher a 403.
        """
        return services.validate_voucher(code, _viewer())


# My points --------------------------------------------------------------------------------


def _city_moment(value, end: bool) -> datetime:
    """A `from`/`to` argument as a moment: days start at midnight in the city; `to` includes its day."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    return datetime.combine(value + timedelta(days=1) if end else value, time(), tzinfo=zone)


def _history(user, arguments):
    """The resident's entries the arguments ask for; `from` after `to` is a 422."""
    since = _city_moment(arguments["since"], end=False) if "since" in arguments else None
    until = _city_moment(arguments["until"], end=True) if "until" in arguments else None
    if since and until and since >= until:
        message = str(_l("This must come after “from”."))
        abort(422, message=message, errors={"to": [message]})
    return ledger.history_query(user.id, arguments.get("kind"), since, until)


def _csv_download(query) -> Response:
    """Stream the entries as CSV; the rows are written after the request's session has closed."""
    rows = ledger.csv_rows(query, display.describe, lambda entry: entry.created_at.isoformat())
    locale = str(get_locale())

    def in_reader_language():
        # Choosing the language again would read the logged-in user, no longer attached to a session by then.
        with force_locale(locale):
            yield from rows

    disposition = f'attachment; filename="points-{utcnow():%Y-%m-%d}.csv"'
    return Response(
        stream_with_context(in_reader_language()), mimetype="text/csv", headers={"Content-Disposition": disposition}
    )


def csv_when_asked(view):
    """Answer `format=csv` or `Accept: text/csv` with every matching entry as a CSV file, unpaged."""

    @wraps(view)
    def answering(self, arguments, **kwargs):
        wants_csv = request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"
        if arguments["format"] == "csv" or (wants_csv and "format" not in request.args):
            # The file holds every entry, yet page arguments are still checked as on every list.
            blp.PAGINATION_ARGUMENTS_PARSER.parse(LEDGER_PAGE_ARGUMENTS, request, location="query")
            return _csv_download(_history(_viewer(), arguments))
        return view(self, arguments, **kwargs)

    return answering


def _entry(entry) -> dict:
    return {"id": entry.id, "created_at": entry.created_at, "kind": entry.kind, "amount": entry.amount,
            "reason": display.describe(entry), "reason_code": entry.reason, "source_key": entry.source_key}  # fmt: skip


@blp.route("/me/ledger")
class MyLedger(MethodView):
    decorators = [answers_domain_errors]

    @resident_required
    @blp.arguments(LedgerArgumentsSchema, location="query")
    @blp.response(200, LedgerSchema)
    @blp.doc(responses=CSV_DOC)
    @csv_when_asked
    @blp.paginate(per_page=LEDGER_PER_PAGE, max_per_page=LEDGER_MAX_PER_PAGE)
    def get(self, arguments, pagination_parameters):
        """Your points (residents): balance, lifetime points, level, and the history newest first.

        The body is an object; `entries` holds this page and X-Pagination counts every matching
        entry. Filter with `kind` (repeated or comma-separated), `from` and `to` (a day, or a moment
        in ISO 8601; days are the city's, `to` includes its day). `format=csv` or `Accept: text/csv`
        downloads every matching entry as CSV (id, date in UTC, kind, amount, reason, source), unpaged.
        """
        user = _viewer()
        summary = ledger.summary(user.id)
        level = summary.level
        entries = page_of(_history(user, arguments), pagination_parameters)
        return {
            "balance": summary.balance, "lifetime_points": summary.lifetime,
            "level": {"number": level.number, "name": level.name, "threshold": level.threshold,
                      "next_threshold": level.next_threshold, "points_to_next": level.points_to_next(summary.lifetime)},
            "entries": [_entry(entry) for entry in entries],
        }  # fmt: skip


# My badges --------------------------------------------------------------------------------


def _url(endpoint: str, **values) -> str | None:
    """The public URL of a badge document, or None while its page does not exist."""
    try:
        return url_for(endpoint, _external=True, **values)
    except BuildError:
        return None


def _award(item) -> dict:
    badge = item.badge
    shown_badge = {"id": badge.id, "name": badge.name, "description": badge.description,
                   "image_url": _url("badges.image", badge_id=badge.id)}  # fmt: skip
    return {"uid": item.uid, "badge": shown_badge, "awarded_at": item.awarded_at, "private": item.private,
            "assertion_url": _url("badges.assertion", uid=item.uid)}  # fmt: skip


@blp.route("/me/badges")
class MyBadges(MethodView):
    decorators = [answers_domain_errors]

    @resident_required
    @blp.response(200, BadgeAwardSchema(many=True))
    @blp.paginate(Page)
    def get(self):
        """Your badges (residents), newest first, each with its public Open Badges assertion URL."""
        return [_award(item) for item in badges.awards_of(_viewer())]


@blp.route("/me/badges/<uid>")
class MyBadge(MethodView):
    decorators = [answers_domain_errors]

    @resident_required
    @blp.arguments(BadgeUpdateSchema)
    @blp.response(200, BadgeAwardSchema)
    def patch(self, changes, uid):
        """Make one of your badges private (its public assertion then answers as revoked) or public again."""
        item = badges.published_award(uid) if BADGE_UID.fullmatch(uid) else None
        if item is None:
            raise errors.NotFound(_l("No such badge."))
        return _award(badges.set_private(item, _viewer(), changes["private"]))


# Partners ---------------------------------------------------------------------------------


@blp.route("/partners")
class Partners(MethodView):
    decorators = [answers_domain_errors]

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
