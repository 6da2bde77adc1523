"""Scheduled jobs of community projects: each is safe to run twice, and each is its own transaction, so none holds
one project's row while it waits for residents another needs (app.locks)."""

from app.scheduler import job
from projects import services


@job("project-deadlines", "interval", minutes=5, run_at_start=True)
def fail_projects() -> None:
    """Fail open projects past their last day short of the target, giving back every pledge."""
    services.fail_due_projects()


@job("project-refunds", "interval", minutes=5, run_at_start=True)
def refund_pledges() -> None:
    """Give back what is left of failed and cancelled projects' pledges (booked while they ended)."""
    services.refund_ended_projects()


@job("project-funded-notices", "interval", minutes=5, run_at_start=True)
def announce_funded() -> None:
    """Tell the backers of each newly funded project, once."""
    services.notify_funded_backers()
