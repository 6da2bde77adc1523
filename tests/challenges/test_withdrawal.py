"""A resident withdraws their own submission while it is held for review or on the day they sent it, with a
reason kept: the ledger takes the points back with a reversal, and scores, totals and ranks follow."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from challenges import errors, lifecycle, participation, submissions
from challenges.kinds.reading import submit_reading
from challenges.kinds.trip import submit_trip
from challenges.models import SubmissionStatus
from challenges.scoring import Category, Metric, Mode
from leaderboards import services as leaderboards
from leaderboards.models import Period, SeasonPoints
from rewards import ledger
from rewards.models import EntryKind, LedgerEntry
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")
TODAY = date(2026, 3, 4)  # NOW's day in the city


def attached(obj):
    return db.session.merge(obj)


def ledger_of(user_id: int) -> list[tuple]:
    rows = db.session.scalars(select(LedgerEntry).where(LedgerEntry.user_id == user_id).order_by(LedgerEntry.id))
    return [(entry.kind, entry.amount) for entry in rows]


def season_points(user_id: int) -> int:
    query = select(SeasonPoints.points).where(SeasonPoints.user_id == user_id, SeasonPoints.period == Period.ALL)
    return db.session.scalar(query) or 0


@pytest.fixture
def trips(make_challenge):
    return make_challenge(Category.MOBILITY, metric=Metric.CAR_KM_AVOIDED, points_per_unit=2.0)


def test_a_trip_sent_today_is_withdrawn_with_a_reversal(trips, make_user):
    """Withdrawn the same day, a counted trip is taken back: a reversal in the ledger, score, totals, season points."""
    resident = attached(make_user())
    enrollment = participation.join(trips, resident, now=NOW)
    trip, _ = submit_trip(enrollment, TODAY, Mode.BIKE, 8.0, True, now=NOW)
    assert (enrollment.score, enrollment.points, ledger.balance(resident.id), season_points(resident.id)) == (
        8.0, 16, 16, 16,
    )  # fmt: skip
    assert submissions.withdrawable(trip, NOW + timedelta(hours=10))  # 23:00 in the city: still the same day
    submissions.withdraw(trip, resident, "  Entered it twice.  ", now=NOW + timedelta(hours=1))
    assert (trip.status, trip.withdrawal_reason, trip.withdrawn_at) == (
        SubmissionStatus.WITHDRAWN, "Entered it twice.", NOW + timedelta(hours=1),
    )  # fmt: skip
    assert (trip.units, trip.points, trip.car_km_avoided) == (0.0, 0, 0.0)
    assert (enrollment.score, enrollment.points, trips.total_units) == (0.0, 0, 0.0)
    assert ledger_of(resident.id) == [(EntryKind.ACTIVITY, 16), (EntryKind.REVERSAL, -16)]
    assert season_points(resident.id) == 0
    with pytest.raises(errors.NotWithdrawable):
        submissions.withdraw(trip, resident, "Again.", now=NOW + timedelta(hours=2))


def test_a_held_reading_can_be_withdrawn_whenever_it_waits(make_challenge, make_user):
    """A slip held for review can be withdrawn days later; it never earned anything, so nothing is reversed."""
    challenge = make_challenge()
    resident = attached(make_user(household_size=1))
    enrollment = participation.join(challenge, resident, now=NOW)
    submit_reading(enrollment, challenge.starts_at + timedelta(hours=1), 5000.0, now=NOW - timedelta(days=5))
    slip, _ = submit_reading(enrollment, challenge.starts_at + timedelta(days=2), 50035.0, now=NOW - timedelta(days=5))
    assert slip.status == SubmissionStatus.FLAGGED
    submissions.withdraw(slip, resident, "Typed a comma as a digit.", now=NOW)
    assert slip.status == SubmissionStatus.WITHDRAWN and ledger_of(resident.id) == []
    assert submissions.flagged_submissions(challenge.id) == []


def test_withdrawing_a_counted_reading_rescores_the_next(make_challenge, make_user):
    """The reading after a withdrawn one is measured from the counted reading before it; the ledger follows."""
    challenge = make_challenge(points_per_unit=10.0)
    resident = attached(make_user(household_size=1))
    enrollment = participation.join(challenge, resident, now=NOW)
    start = challenge.starts_at
    submit_reading(enrollment, start + timedelta(days=1), 1000.0, now=NOW)
    middle, _ = submit_reading(enrollment, start + timedelta(days=3), 1007.0, now=NOW)
    last, _ = submit_reading(enrollment, start + timedelta(days=5), 1014.0, now=NOW)
    submissions.withdraw(middle, resident, "Not my meter.", now=NOW)
    assert last.consumed_kwh == pytest.approx(14.0)
    assert enrollment.score == pytest.approx(last.units) and enrollment.points == last.points
    assert ledger.balance(resident.id) == last.points


def test_only_the_sender_may_withdraw_and_only_with_a_reason(trips, make_user):
    """Someone else's submission is not found for them; an empty reason is refused."""
    owner, other = attached(make_user()), attached(make_user())
    trip, _ = submit_trip(participation.join(trips, owner, now=NOW), TODAY, Mode.BIKE, 3.0, True, now=NOW)
    with pytest.raises(errors.NoSuchSubmission):
        submissions.withdraw(trip, other, "Mine now.", now=NOW)
    with pytest.raises(errors.SubmissionRefused) as caught:
        submissions.withdraw(trip, owner, "   ", now=NOW)
    assert (caught.value.rule, caught.value.field) == ("reason_required", "reason")
    assert trip.status == SubmissionStatus.ACCEPTED


def test_a_counted_submission_from_an_earlier_day_or_a_closed_challenge_stays(trips, make_user):
    """After the day it was sent a counted trip stays; once the challenge closed, nothing can be withdrawn."""
    resident = attached(make_user())
    enrollment = participation.join(trips, resident, now=NOW)
    yesterday, _ = submit_trip(enrollment, TODAY - timedelta(days=1), Mode.BIKE, 3.0, True, now=NOW - timedelta(days=1))
    with pytest.raises(errors.NotWithdrawable):
        submissions.withdraw(yesterday, resident, "Changed my mind.", now=NOW)
    today, _ = submit_trip(enrollment, TODAY, Mode.BIKE, 3.0, True, now=NOW)
    lifecycle.close_challenge(trips, now=NOW + timedelta(minutes=5))
    assert not submissions.withdrawable(today, NOW + timedelta(minutes=10))


def test_ranks_follow_a_withdrawal(trips, make_user):
    """The leader withdraws their only trip and drops behind the runner-up."""
    leader, runner_up = attached(make_user()), attached(make_user())
    lead = participation.join(trips, leader, now=NOW)
    trip, _ = submit_trip(lead, TODAY, Mode.BIKE, 10.0, True, now=NOW)
    submit_trip(participation.join(trips, runner_up, now=NOW), TODAY, Mode.BIKE, 4.0, True, now=NOW)
    assert leaderboards.challenge_board(trips, leader).me.rank == 1
    submissions.withdraw(trip, leader, "Wrong challenge.", now=NOW)
    assert leaderboards.challenge_board(trips, leader).me.rank == 2
    assert leaderboards.challenge_board(trips, runner_up).me.rank == 1
