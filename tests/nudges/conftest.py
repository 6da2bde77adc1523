"""Builders for nudge tests: energy challenges with weekly readings, consents, rewards and a frozen clock."""

from datetime import timedelta

import pytest

from app.extensions import db
from challenges import participation
from challenges.kinds.reading import submit_reading
from tests.challenges.conftest import NOW, make_challenge, manager  # noqa: F401  (fixtures shared)
from tests.rewards.conftest import fund, make_partner, make_reward  # noqa: F401
from tests.sharing.conftest import catalogue, give_consent  # noqa: F401

# NOW is Wednesday 2026-03-04 12:00 UTC; its city week began on Monday 2026-03-02 00:00 Berlin time.


@pytest.fixture
def energy_challenge(make_challenge):  # noqa: F811
    """An active energy challenge that began 30 weeks ago, so half a year of readings fits in."""
    return make_challenge(starts_at=NOW - timedelta(weeks=30), ends_at=NOW + timedelta(days=21))


@pytest.fixture
def with_readings(app):
    """with_readings(user, challenge, weekly_kwh=[...], baseline=50.0): join and send a reading a day for each week.

    The weeks end just before NOW's week began; the enrollment's baseline is set to `baseline` kWh a week.
    """

    def make(user, challenge, weekly_kwh, baseline=50.0):
        user, challenge = db.session.merge(user), db.session.merge(challenge)
        enrollment = participation.join(challenge, user, now=NOW - timedelta(weeks=len(weekly_kwh) + 1))
        moment = NOW - timedelta(days=2, hours=13) - timedelta(weeks=len(weekly_kwh))  # Sunday 23:00 UTC
        meter = 1_000.0
        submit_reading(enrollment, moment, meter, now=NOW)
        for week in weekly_kwh:
            for _day in range(7):
                moment, meter = moment + timedelta(days=1), meter + week / 7
                submit_reading(enrollment, moment, meter, now=NOW)
        enrollment.baseline_kwh_per_day = baseline / 7
        db.session.commit()
        return enrollment

    return make
