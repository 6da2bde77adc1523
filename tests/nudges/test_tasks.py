"""The nudge jobs: registered at the documented times, and runnable as the scheduler runs them."""

from app.scheduler import JOBS
from nudges import tasks


def test_jobs_are_registered_at_their_times():
    """Digest Monday 07:00, reminders 08:00 daily, advice Sunday 18:00, rewards news daily."""
    assert JOBS["nudge-digest"].trigger_args == {"day_of_week": "mon", "hour": 7, "minute": 0}
    assert JOBS["nudge-reminders"].trigger_args == {"hour": 8, "minute": 0}
    assert JOBS["nudge-advice"].trigger_args == {"day_of_week": "sun", "hour": 18, "minute": 0}
    assert JOBS["nudge-rewards-news"].trigger == "cron"


def test_jobs_run_on_an_empty_database(ctx):
    """Each job runs with the real clock and finds nothing to send."""
    for run in (tasks.send_digests, tasks.send_reminders, tasks.send_advice, tasks.send_rewards_news):
        run()
