"""Retention: raw readings and trips past RETENTION_MONTHS go; what they counted for stays."""

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from app import scheduler
from app.extensions import db
from challenges import lifecycle, participation
from challenges.kinds.reading import submit_reading
from challenges.kinds.trip import submit_trip
from challenges.models import (
    AssistedAction,
    AssistedActionKind,
    Challenge,
    Enrollment,
    NeighbourhoodScore,
    Submission,
)
from challenges.scoring import Category, Mode
from leaderboards.models import SeasonPoints
from rewards.models import LedgerEntry
from sharing import retention
from sharing.services import add_months
from tests.challenges.conftest import NOW

LONG_AGO = add_months(NOW, -30)


@pytest.fixture
def history(ctx, make_user, make_challenge):
    """A closed trip challenge 30 months ago, a long-running energy challenge, and a recent trip challenge."""
    keeper, leaver = (db.session.merge(make_user()) for _ in range(2))
    old = make_challenge(Category.MOBILITY, now=LONG_AGO)
    old_trips = []
    for resident in (keeper, leaver):
        enrollment = participation.join(old, resident, now=LONG_AGO)
        for minute in range(2):
            trip, _ = submit_trip(enrollment, (LONG_AGO - timedelta(days=1)).date(), Mode.BIKE, 3.0, True,
                                              trip_time=time(7, minute), now=LONG_AGO)  # fmt: skip
            old_trips.append(trip.id)
    lifecycle.close_challenge(old, now=LONG_AGO + timedelta(days=22))
    start = add_months(NOW, -20)
    energy = make_challenge(Category.ENERGY, now=start, starts_at=start, ends_at=NOW + timedelta(days=30))
    readings = {}
    for resident in (keeper, leaver):
        enrollment = participation.join(energy, resident, now=add_months(NOW, -27))
        readings[resident.id] = [
            submit_reading(enrollment, add_months(NOW, -months), kwh, now=add_months(NOW, -months))[0].id
            for months, kwh in ((27, 1000.0), (26, 1200.0), (25, 1400.0))
        ]
    participation.leave(energy, leaver, now=NOW - timedelta(days=3))
    recent = make_challenge(Category.MOBILITY)
    enrollment = participation.join(recent, keeper, now=NOW - timedelta(days=5))
    fresh, _ = submit_trip(enrollment, (NOW - timedelta(days=2)).date(), Mode.WALK, 2.0, True,
                                       now=NOW - timedelta(days=2))  # fmt: skip
    desk = AssistedAction(kind=AssistedActionKind.TRIP, resident_id=keeper.id, manager_name="Desk", challenge_id=old.id,
                          submission_id=old_trips[0])  # fmt: skip
    db.session.add(desk)
    db.session.commit()
    return {"keeper": keeper, "leaver": leaver, "old_trips": old_trips, "readings": readings, "fresh": fresh.id,
            "desk": desk.id}  # fmt: skip


def _totals() -> tuple:
    """Every running total a submission ever fed."""
    challenges = db.session.execute(select(Challenge.id, Challenge.total_units, Challenge.participant_count)).all()
    enrollments = db.session.execute(select(Enrollment.id, Enrollment.score, Enrollment.points)).all()
    places = db.session.execute(select(NeighbourhoodScore.id, NeighbourhoodScore.total_units)).all()
    season = db.session.scalar(select(func.sum(SeasonPoints.points)))
    points = db.session.execute(select(LedgerEntry.user_id, func.sum(LedgerEntry.amount)).group_by(LedgerEntry.user_id))
    return sorted(challenges), sorted(enrollments), sorted(places), season, sorted(points.all())


def _left() -> set[int]:
    return set(db.session.scalars(select(Submission.id)))


def test_old_records_go_recent_ones_stay(history):
    """Trips and readings past 24 months are deleted; last month's trip stays."""
    deleted = retention.purge_old_records(now=NOW)
    db.session.commit()
    left = _left()
    assert not left & set(history["old_trips"])
    assert history["fresh"] in left
    assert not left & set(history["readings"][history["leaver"].id])  # left the challenge: no next reading to score
    assert deleted == 4 + 3 + 2


def test_latest_reading_of_an_active_enrollment_is_kept(history):
    """An active participant's latest reading is the base of their next one, however old it is."""
    retention.purge_old_records(now=NOW)
    first, second, latest = history["readings"][history["keeper"].id]
    assert latest in _left() and not {first, second} & _left()


def test_totals_stay_and_a_second_run_finds_nothing(history):
    """Scores, challenge and neighbourhood totals, season points and the ledger are the same after the purge."""
    before = _totals()
    assert retention.purge_old_records(now=NOW, batch=3) > 0
    db.session.commit()
    assert _totals() == before
    assert retention.purge_old_records(now=NOW) == 0
    assert db.session.get(AssistedAction, history["desk"]).submission_id is None


def test_the_retention_period_is_configurable(history, app, monkeypatch):
    """With 36 months kept, nothing of 30 months ago goes."""
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", 36)
    assert retention.purge_old_records(now=NOW) == 0


def test_the_job_is_registered_daily():
    """The purge runs daily through the scheduler, and once at start to catch up."""
    job = scheduler.JOBS["retention"]
    assert job.trigger == "cron" and job.run_at_start
