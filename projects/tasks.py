"""Scheduled jobs of community projects: each is safe to run twice."""

from app.scheduler import job
from projects import services


@job("project-deadlines", "interval", minutes=5, run_at_start=True)
def close_projects() -> None:
    """Fail projects past their deadline short of the target, give back every pledge left, tell funded backers."""
    services.fail_due_projects()
    services.refund_ended_projects()
    services.notify_funded_backers()
