"""The job registry and the database lease that lets exactly one process run the jobs."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import Role, User
from app import scheduler
from app.columns import utcnow
from app.extensions import db


@pytest.fixture
def registered_job():
    """Register a job that creates nothing but counts its runs, and remove it afterwards."""
    runs = []

    @scheduler.job("test-counting-job", "interval", minutes=5)
    def counting_job():
        runs.append(1)

    yield runs
    scheduler.JOBS.pop("test-counting-job")


def test_one_holder_at_a_time(ctx):
    """The first holder leads; a second cannot take the lease until it has expired."""
    now = utcnow()
    assert scheduler.acquire_lease("worker-a", seconds=60, now=now)
    assert not scheduler.acquire_lease("worker-b", seconds=60, now=now + timedelta(seconds=30))
    assert scheduler.acquire_lease("worker-a", seconds=60, now=now + timedelta(seconds=30)), "leader renews"
    assert scheduler.acquire_lease("worker-b", seconds=60, now=now + timedelta(seconds=91)), "expired: taken over"
    assert not scheduler.acquire_lease("worker-a", seconds=60, now=now + timedelta(seconds=100))


def test_racing_processes_elect_exactly_one_leader(app):
    """Eight workers asking for the free lease at the same moment: exactly one wins."""
    barrier = threading.Barrier(8)
    results = {}

    def contend(name):
        with app.app_context():
            barrier.wait()
            results[name] = scheduler.acquire_lease(name, seconds=60)
            db.session.remove()

    threads = [threading.Thread(target=contend, args=(f"worker-{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [False] * 7 + [True]


def test_released_lease_is_free_at_once(ctx):
    """A process that stops gives the lease up, so another leads without waiting."""
    assert scheduler.acquire_lease("worker-a")
    scheduler.release_lease("worker-a")
    assert scheduler.acquire_lease("worker-b")


def test_job_runs_only_in_the_leading_process(app, registered_job):
    """run_job runs a registered job when this process holds the lease, and skips it otherwise."""
    with app.app_context():
        assert scheduler.acquire_lease("some-other-process", seconds=600)
    assert scheduler.run_job(app, "test-counting-job") is False
    assert registered_job == []
    with app.app_context():
        scheduler.release_lease("some-other-process")
    assert scheduler.run_job(app, "test-counting-job") is True
    assert registered_job == [1]


def test_a_failing_job_rolls_back_its_work(app, make_neighbourhood):
    """A job that fails leaves nothing behind; the error is logged, not raised into the scheduler."""
    place = make_neighbourhood()

    @scheduler.job("test-failing-job", "interval", minutes=5)
    def failing_job():
        db.session.add(
            User(
                email="x@example.org",
                password_hash="x",
                pseudonym="Ghost",
                role=Role.RESIDENT,
                neighbourhood_id=place.id,
            )
        )
        db.session.flush()
        raise RuntimeError("boom")

    try:
        assert scheduler.run_job(app, "test-failing-job") is False
    finally:
        scheduler.JOBS.pop("test-failing-job")
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0


def test_build_scheduler_schedules_every_registered_job(app, registered_job):
    """The scheduler holds each registered job plus the lease heartbeat, in the city's time zone."""
    built = scheduler.build_scheduler(app)
    ids = {job.id for job in built.get_jobs()}
    assert {"test-counting-job", "lease-heartbeat"} <= ids
    assert str(built.timezone) == app.config["TIMEZONE"]


def test_scheduler_is_not_started_in_tests(app):
    """The test app never starts a background scheduler on its own."""
    assert scheduler.start_in_app(app) is None


def test_scheduler_cli_help(runner):
    """`flask scheduler run` exists to run the jobs as their own process."""
    result = runner.invoke(args=["scheduler", "run", "--help"])
    assert result.exit_code == 0 and "in this process" in result.output
