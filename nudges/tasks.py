"""Scheduled jobs of nudges; city time (the scheduler runs in TIMEZONE). Each is safe to run twice."""

from app.scheduler import job
from nudges import advice, digest, reminders


@job("nudge-digest", "cron", day_of_week="mon", hour=7, minute=0, run_at_start=True)
def send_digests() -> None:
    """Last week's digest on Monday morning; at start-up it catches up a missed Monday, keyed by the week."""
    digest.send_digests()


@job("nudge-reminders", "cron", hour=8, minute=0)
def send_reminders() -> None:
    """Challenge reminders every morning: starting soon, ending soon, nothing sent for ten days."""
    reminders.send_reminders()


@job("nudge-advice", "cron", day_of_week="sun", hour=18, minute=0)
def send_advice() -> None:
    """Energy advice on Sunday evening for consenting residents whose forecast rises."""
    advice.send_advice()


@job("nudge-rewards-news", "cron", hour=9, minute=0)
def send_rewards_news() -> None:
    """Badge, streak, reward and voucher news every morning."""
    reminders.send_rewards_news()
