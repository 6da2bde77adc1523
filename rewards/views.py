"""Pages of rewards: catalogue, redemption, my points, my vouchers, voucher validation, catalogue management."""

from flask import Blueprint

bp = Blueprint("rewards", __name__, template_folder="templates")
