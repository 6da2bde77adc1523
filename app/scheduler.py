"""Scheduled jobs: a registry each package adds to, and a database lease so one process leads.

Every web process may run a scheduler (SCHEDULER_MODE=in-app); before any job runs, its process
must hold the lease, a row renewed by the leader and taken over by another process only after it
expired. So with many gunicorn workers each job runs exactly once. `flask scheduler run` runs the
same scheduler as a process of its own.
"""

import atexit
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import String, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.columns import UTCDateTime, utcnow
from app.extensions import db

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"
HOLDER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class SchedulerLease(db.Model):
    """Who runs the jobs, until when. One row per lease name."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Job:
    id: str
    func: object
    trigger: str
    trigger_args: dict = field(default_factory=dict)
    run_at_start: bool = False


JOBS: dict[str, Job] = {}


def job(job_id: str, trigger: str, run_at_start: bool = False, **trigger_args):
    """Register a function as a scheduled job, e.g. `@job("close-challenges", "interval", minutes=1)`.

    The function runs inside an app context; the runner commits after it and rolls back on error,
    so a job only flushes, like any service. Jobs must be safe to run twice. `run_at_start` also
    runs it as soon as the scheduler starts, so work missed while the app was down is caught up.
    """

    def register(func):
        JOBS[job_id] = Job(job_id, func, trigger, trigger_args, run_at_start)
        return func

    return register


def acquire_lease(holder: str = HOLDER_ID, seconds: int = 60, now: datetime | None = None) -> bool:
    """Take or renew the lease for `holder`; True when `holder` leads until now + seconds."""
    now = now or utcnow()
    expires_at = now + timedelta(seconds=seconds)
    result = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME)
        .where(or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now))
        .values(holder=holder, expires_at=expires_at)
    )
    if result.rowcount == 1:
        db.session.commit()
        return True
    try:
        db.session.execute(insert(SchedulerLease).values(name=LEASE_NAME, holder=holder, expires_at=expires_at))
        db.session.commit()
        return True
    except IntegrityError:  # the row exists and is held by someone else
        db.session.rollback()
        return False


def release_lease(holder: str = HOLDER_ID) -> None:
    """Give up the lease at shutdown, so another process can lead at once."""
    db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def run_job(app, job_id: str) -> bool:
    """Run one registered job if this process holds the lease; one transaction per run."""
    with app.app_context():
        try:
            if not acquire_lease(seconds=app.config["SCHEDULER_LEASE_SECONDS"]):
                return False
            JOBS[job_id].func()
            db.session.commit()
            return True
        except Exception:
            db.session.rollback()
            log.exception("Scheduled job %s failed", job_id)
            return False
        finally:
            db.session.remove()


def _renew_lease(app) -> None:
    with app.app_context():
        try:
            acquire_lease(seconds=app.config["SCHEDULER_LEASE_SECONDS"])
        finally:
            db.session.remove()


def build_scheduler(app, blocking: bool = False):
    """A scheduler with every registered job, plus the heartbeat that keeps the lease."""
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(timezone=ZoneInfo(app.config["TIMEZONE"]))
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
    for registered in JOBS.values():
        extra = {"next_run_time": datetime.now(scheduler.timezone)} if registered.run_at_start else {}
        scheduler.add_job(
            run_job,
            registered.trigger,
            args=[app, registered.id],
            id=registered.id,
            **defaults,
            **extra,
            **registered.trigger_args,
        )
    heartbeat = max(5, app.config["SCHEDULER_LEASE_SECONDS"] // 3)
    scheduler.add_job(_renew_lease, "interval", seconds=heartbeat, args=[app], id="lease-heartbeat", **defaults)
    return scheduler


def start_in_app(app):
    """Start the background scheduler when the app runs it in-process; returns it, or None."""
    if app.config["SCHEDULER_MODE"] != "in-app" or app.testing:
        return None
    scheduler = build_scheduler(app)
    scheduler.start()
    app.extensions["scheduler"] = scheduler

    def stop():
        scheduler.shutdown(wait=False)
        try:
            with app.app_context():
                release_lease()
        except Exception:  # the lease simply expires if the database is gone at shutdown
            log.warning("Could not release the scheduler lease at shutdown", exc_info=True)

    atexit.register(stop)
    return scheduler
