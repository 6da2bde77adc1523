"""Scheduled jobs of notifications: sending the queued emails."""

from datetime import datetime

from app.columns import utcnow
from app.extensions import db
from app.scheduler import job
from notifications import email


@job("notification-emails", "interval", minutes=1, run_at_start=True)
def send_emails(now: datetime | None = None) -> int:
    """Send the queued emails that are due; how many went out. Without SMTP_HOST it does nothing.

    Unlike other jobs it commits per email: each attempt is on record before the message leaves and each
    success right after, so an error later in the run can never make an email go out twice.
    """
    if not email.configured():
        return 0
    now, sent = now or utcnow(), 0
    with email.Sender() as sender:
        for row_id in email.due(now):
            row = email.claim(row_id, now)
            db.session.commit()
            if row is not None:
                sent += email.send(row, sender, now)
                db.session.commit()
    return sent
