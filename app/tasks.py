"""Scheduled jobs of the plumbing: the nightly scores check."""

from flask import current_app

from app import reconciliation
from app.scheduler import job


@job("scores-check", "cron", hour=2, minute=45)
def check_scores() -> None:
    """Recompute every running total at night and log what differs; repair it too when SCORES_CHECK_FIX is on."""
    fix = current_app.config["SCORES_CHECK_FIX"]
    reconciliation.report(reconciliation.run(fix=fix), fixed=fix)
