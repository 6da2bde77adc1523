"""Scheduled jobs of the statistics: the city impact board's daily snapshot."""

from app.scheduler import job
from stats import impact


@job("impact-board", "cron", hour=0, minute=10)
def snapshot_impact_board() -> None:
    """Compute today's impact board early, so no visitor waits for it; a second run finds it stored and does nothing."""
    impact.board()
