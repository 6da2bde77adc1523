"""The lifecycle job: starting and closing challenges at their times, and the final ranks."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.signals import challenge_closed
from challenges import lifecycle, participation, totals
from challenges.models import Status
from challenges.scoring import Category, Metric
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


def test_lifecycle_is_idempotent_and_catches_up(make_challenge):
    """The job starts and closes what is due; running it twice changes nothing more."""
    upcoming = make_challenge(starts_at=NOW + timedelta(hours=1), ends_at=NOW + timedelta(days=3))
    ending = make_challenge(starts_at=NOW - timedelta(days=3), ends_at=NOW + timedelta(hours=2))
    closed_events = []

    def on_closed(closed):
        closed_events.append(closed.challenge_id)

    with challenge_closed.connected_to(on_closed):
        # The app was down for two days: both transitions are caught up in one run.
        later = NOW + timedelta(days=2)
        assert lifecycle.advance_lifecycle(now=later) == {"started": 1, "closed": 1}
        assert lifecycle.advance_lifecycle(now=later) == {"started": 0, "closed": 0}
    assert upcoming.status == Status.ACTIVE and ending.status == Status.CLOSED
    assert closed_events == [ending.id]


def test_a_scheduled_challenge_whose_whole_period_was_missed_closes(make_challenge):
    """Downtime across a whole challenge still ends with it closed, never left scheduled."""
    challenge = make_challenge(starts_at=NOW + timedelta(hours=1), ends_at=NOW + timedelta(hours=5))
    lifecycle.advance_lifecycle(now=NOW + timedelta(days=1))
    assert challenge.status == Status.CLOSED


def test_closing_freezes_competition_ranks(make_challenge, make_user):
    """Final ranks use standard competition ranking: 1, 2, 2, 4."""
    challenge = make_challenge(category=Category.MOBILITY, metric=Metric.SUSTAINABLE_TRIPS)
    scores = [5.0, 3.0, 3.0, 1.0]
    enrollments = []
    for score in scores:
        enrollment = participation.join(challenge, attached(make_user()), now=NOW)
        totals.add_units(enrollment, score, 0)
        enrollments.append(enrollment)
    assert lifecycle.close_challenge(challenge, now=NOW)
    db.session.expire_all()
    assert [e.final_rank for e in enrollments] == [1, 2, 2, 4]
    assert not lifecycle.close_challenge(challenge, now=NOW), "closing twice sends nothing"
