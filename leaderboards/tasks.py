"""Scheduled jobs of leaderboards."""

from app.scheduler import job
from leaderboards import services


@job("rank-snapshots", "cron", hour=23, minute=45, run_at_start=True)
def snapshot_ranks() -> None:
    """Record each participant's rank for the day, late in the evening (city time); a day is recorded once."""
    services.snapshot_ranks()
