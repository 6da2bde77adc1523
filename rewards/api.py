"""JSON API of rewards: catalogue, redemption, vouchers, validation and the ledger."""

from app.pagination import Blueprint

blp = Blueprint("api_rewards", __name__, url_prefix="/api/v1", description="Rewards")
