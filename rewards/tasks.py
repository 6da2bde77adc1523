"""Scheduled jobs of rewards."""

from app.scheduler import job
from rewards import earnings
from rewards.catalogue import redemption


@job("reward-streaks", "cron", day_of_week="mon", hour=3, minute=15, run_at_start=True)
def award_streaks() -> None:
    """Credit 4-week streaks once the week is over; a streak is credited once, however often this runs."""
    earnings.award_streaks()


@job("voucher-expiry", "interval", minutes=15, run_at_start=True)
def expire_vouchers() -> None:
    """Refund vouchers that expired unused."""
    redemption.expire_vouchers()
