"""Pledges at the same moment (tests.races): 50 residents pledging to one project at once on PostgreSQL, each
request with its own connection and transaction. The project is funded exactly at its target, every pledge that
got in took only what was still needed, the ledger and the project agree, and no balance goes below zero.
SQLite lets one writer in at a time, so there a few threads show the same rules and nothing but domain errors."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import User
from app.columns import utcnow
from app.extensions import db
from projects import services
from projects.models import Pledge, Project, ProjectStatus
from rewards import ledger
from rewards.models import EntryKind, LedgerEntry
from tests.races import one_race_at_a_time, outcomes, race, race_app
from tests.rewards.conftest import grant

THREADS = 50


@pytest.fixture(scope="module")
def racing(database_url):
    with one_race_at_a_time(database_url):
        app = race_app(database_url, THREADS)
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def threads(database_url) -> int:
    """50 requests at once on PostgreSQL; a few on SQLite, which lets one writer in at a time."""
    return THREADS if database_url.startswith("postgresql") else 4


def _setup(racing, make_user, count: int, balance: int, target: int) -> tuple[list[int], int]:
    residents = [make_user() for _ in range(count)]
    with racing.app_context():
        for user in residents:
            grant(user.id, balance)
        project = services.create_project(title_en="Bike rack", target=target, deadline=utcnow() + timedelta(days=3))
        db.session.commit()
        return [user.id for user in residents], project.id


def _pledge(user_id: int, project_id: int, points: int):
    row, _ = services.pledge(db.session.get(User, user_id), db.session.get(Project, project_id), points)
    return row.amount


def _check_books(racing, user_ids: list[int], project_id: int, balance: int) -> Project:
    """The project's total, its pledges and the ledger's pledge entries agree; nobody is below zero."""
    with racing.app_context():
        project = db.session.get(Project, project_id)
        pledged = db.session.scalar(select(func.sum(Pledge.amount)).where(Pledge.project_id == project_id))
        debits = db.session.scalar(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.kind == EntryKind.PLEDGE))
        assert project.pledged == pledged == -debits
        for user_id in user_ids:
            mine = select(func.coalesce(func.sum(Pledge.amount), 0)).where(Pledge.user_id == user_id)
            given = db.session.scalar(mine)
            assert 0 <= ledger.balance(user_id) == balance - given
        db.session.expunge(project)
        return project


def test_concurrent_pledges_that_overshoot_fund_the_project_exactly(racing, make_user, threads):
    """Every resident offers 100 to a project needing 3/5 of what they offer together: it is funded exactly at its
    target, the pledge that reached it took only the rest, and those that came after were refused with NotOpen."""
    target = threads * 60 + 30  # never a multiple of 100, so one pledge is cut
    user_ids, project_id = _setup(racing, make_user, threads, 100, target)
    results = race(racing, threads, lambda i: _pledge(user_ids[i], project_id, 100))
    taken = sorted(value for kind, value in results if kind == "ok")
    assert sum(taken) == target and taken[0] == target % 100 and set(taken[1:]) == {100}
    assert outcomes(results) == {"ok": len(taken), "NotOpen": threads - len(taken)}
    project = _check_books(racing, user_ids, project_id, 100)
    assert project.pledged == project.target and project.status is ProjectStatus.FUNDED


def test_concurrent_pledges_beyond_the_balance_never_overspend(racing, make_user, threads):
    """One resident with 250 points sends pledges of 100 at once: two get in, the rest are InsufficientPoints."""
    (user_id,), project_id = _setup(racing, make_user, 1, 250, 100_000)
    results = race(racing, threads, lambda _i: _pledge(user_id, project_id, 100))
    assert outcomes(results) == {"ok": 2, "InsufficientPoints": threads - 2}
    _check_books(racing, [user_id], project_id, 250)


def test_cancelling_while_residents_pledge_returns_every_point(racing, make_user, threads):
    """Residents pledge while a manager cancels: once the job has run too, every point is back with its owner."""
    user_ids, project_id = _setup(racing, make_user, threads - 1, 100, 100_000)

    def work(index: int):
        if index == threads - 1:
            return services.cancel_project(db.session.get(Project, project_id)).status
        return _pledge(user_ids[index], project_id, 60)

    results = race(racing, threads, work)
    assert set(outcomes(results)) <= {"ok", "NotOpen"}
    with racing.app_context():
        services.refund_ended_projects()
        db.session.commit()
        assert all(ledger.balance(user_id) == 100 for user_id in user_ids)
        assert db.session.scalar(select(func.count()).where(Pledge.refunded_at.is_(None))) == 0
