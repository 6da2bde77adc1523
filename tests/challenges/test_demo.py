"""The demo challenges: every category, format and state, with activity entered through the services."""

import random
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.extensions import db
from challenges import demo
from challenges.models import Challenge, Status, Submission, SubmissionStatus
from challenges.scoring import Category, Format


@pytest.mark.usefixtures("ctx")
def test_demo_challenges_cover_every_case(make_user, make_neighbourhood):
    """At least four challenges over both categories, all three formats and several states, with activity."""
    from accounts.models import Role

    make_user(role=Role.MANAGER)
    places = [make_neighbourhood() for _ in range(3)]
    for number in range(16):
        make_user(neighbourhood_id=places[number % 3].id, household_size=1 + number % 4)
    assert demo.seed(random.Random(7), ZoneInfo("Europe/Berlin")) >= 4
    challenges = db.session.scalars(select(Challenge)).all()
    assert {c.category for c in challenges} == set(Category)
    assert {c.format for c in challenges} == set(Format)
    assert {Status.DRAFT, Status.SCHEDULED, Status.ACTIVE, Status.CLOSED} <= {c.status for c in challenges}
    by_status = dict(db.session.execute(select(Submission.status, func.count()).group_by(Submission.status)).all())
    assert by_status[SubmissionStatus.ACCEPTED] > 50 and by_status.get(SubmissionStatus.FLAGGED, 0) >= 1
    assert any(c.total_units > 0 for c in challenges if c.status == Status.ACTIVE)
