"""Scheduled jobs of data sharing."""

from app.scheduler import job
from sharing import credits, retention, services


@job("consent-expiry", "interval", hours=1, run_at_start=True)
def expire_consents() -> None:
    """Mark ended consents expired and tell residents a week ahead; each consent is announced once."""
    services.expire_consents()
    services.notify_expiring()


@job("data-dividend", "cron", day_of_week="mon", hour=4, minute=0, run_at_start=True)
def credit_data_dividend() -> None:
    """Credit last week's data dividend; a week is credited once per consent, however often this runs."""
    credits.credit_last_week()


@job("retention", "cron", hour=3, minute=30, run_at_start=True)
def purge_old_records() -> None:
    """Delete raw readings and trips past the retention period; their totals stay. A second run finds nothing."""
    retention.purge_old_records()
