"""Builders for challenge tests. Time is controlled by passing `now` to the services."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from accounts.models import Role
from app.extensions import db
from challenges import authoring
from challenges.models import Challenge, Enrollment
from challenges.scoring import Category, Format, Metric

# A fixed "now" for tests: Wednesday 2026-03-04 12:00 UTC (13:00 in Berlin).
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)

DEFAULTS = {
    Category.ENERGY: {"metric": Metric.SHARE_SAVED},
    Category.MOBILITY: {"metric": Metric.CAR_KM_AVOIDED},
}


@pytest.fixture
def manager(make_user):
    return make_user(role=Role.MANAGER)


@pytest.fixture
def make_challenge(app, make_user):
    """Create a challenge, by default a published energy challenge running from NOW-7d to NOW+21d."""

    def make(category=Category.ENERGY, publish=True, now=NOW, author=None, **fields):
        values = {
            "title": f"{category.title()} challenge",
            "description": "Save together.\n\nEvery bit counts.",
            "category": category,
            "format": Format.INDIVIDUAL,
            "starts_at": now - timedelta(days=7),
            "ends_at": now + timedelta(days=21),
            "points_per_unit": 10.0,
            **DEFAULTS[category],
            **fields,
        }
        if values["format"] != Format.INDIVIDUAL and values["metric"] == Metric.SHARE_SAVED:
            values["metric"] = Metric.KWH_SAVED  # shares rank residents one by one; groups add up kWh
        author = author or make_user(role=Role.MANAGER)
        challenge = authoring.create_challenge(db.session.merge(author), **values)
        if publish:
            authoring.publish(challenge, now=now)
        db.session.commit()
        return challenge

    return make


def joined_at_the_start(app, challenge_id: int) -> None:
    """Date every enrollment in the challenge back to its start: a test's readings from before today then
    count, as a resident's who joined on the first day (a late joiner scores from the day they joined)."""
    with app.app_context():
        starts_at = db.session.get(Challenge, challenge_id).starts_at
        db.session.execute(
            update(Enrollment).where(Enrollment.challenge_id == challenge_id).values(joined_at=starts_at)
        )
        db.session.commit()
