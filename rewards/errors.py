"""Domain errors of rewards; each names the rule broken and, where it has one, the field."""

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import errors as base
from app.errors import DomainError, FieldErrors


class RewardError(DomainError):
    """A rule of rewards was broken; `rule` is its short name for programs."""

    status = 422
    rule = "invalid"


class InvalidFields(FieldErrors, RewardError):
    """One or more fields break a rule; `errors` maps each field to its message."""


class NotFound(base.NotFound, RewardError):
    message = _l("No such reward.")


class InsufficientPoints(RewardError):
    status = 409
    rule = "insufficient_points"
    message = _l("You do not have enough points for this.")


class SoldOut(RewardError):
    status = 409
    rule = "sold_out"
    message = _l("Sorry, this reward is sold out.")


class NotAvailable(RewardError):
    status = 409
    rule = "not_available"
    message = _l("This reward is no longer available.")


class LimitReached(RewardError):
    status = 409
    rule = "limit_reached"
    message = _l("You have already redeemed this reward as often as one resident may.")


class NotReversible(RewardError):
    status = 409
    rule = "not_reversible"
    message = _l("Only credits can be reversed, and each only once.")


class UnknownVoucher(base.NotFound, RewardError):
    rule = "unknown_voucher"
    field = "code"
    message = _l("No voucher has this code. Check the code and try again.")


class VoucherNotUsable(RewardError):
    """The voucher exists but cannot be used (or cancelled): already used, cancelled or expired.

    `voucher_not_usable(voucher, rule)` words why, with the date it happened.
    """

    status = 409

    def __init__(self, message, rule: str):
        super().__init__(message, "code", rule)


class OwnVoucher(base.Forbidden, RewardError):
    rule = "own_voucher"
    field = "code"
    message = _l("You cannot accept your own voucher; another member of the partner must.")


class NotYourPartner(base.Forbidden, RewardError):
    rule = "other_partner"
    field = "code"
    message = _l("This voucher belongs to another partner; only they can accept it.")


class InvalidBadgeImage(RewardError):
    field = "image_svg"
    rule = "invalid_image"
    message = _l("The image must be a plain SVG file without scripts, links to other files or embedded documents.")


def _when(moment) -> str:
    return format_datetime(moment, "short") if moment else ""


def voucher_not_usable(voucher, rule: str) -> VoucherNotUsable:
    """Why a voucher cannot be used any more (`rule`: used, cancelled or expired), with the date it happened."""
    problems = {
        "used": lambda: _("Already used on %(date)s.", date=_when(voucher.used_at)),
        "cancelled": lambda: _("This voucher was cancelled on %(date)s.", date=_when(voucher.closed_at)),
        "expired": lambda: _("This voucher expired on %(date)s.", date=_when(voucher.expires_at)),
        "voided": lambda: _(
            "This voucher was voided on %(date)s: its holder deleted their account.", date=_when(voucher.closed_at)
        ),
    }
    return VoucherNotUsable(problems.get(rule, lambda: _("This voucher cannot be used."))(), rule)
