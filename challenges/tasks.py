"""Scheduled jobs of challenges."""

from app.scheduler import job
from challenges import lifecycle


@job("challenge-lifecycle", "interval", minutes=1, run_at_start=True)
def advance_challenges() -> None:
    """Start and close challenges whose time has come; after downtime it catches up at once."""
    lifecycle.advance_lifecycle()
