"""The manager's review of held submissions: approving counts one, rejecting needs a reason and takes it back."""

from datetime import date

import pytest

from app.extensions import db
from challenges import errors, participation, submissions
from challenges.kinds.trip import submit_trip
from challenges.models import SubmissionStatus
from challenges.scoring import Category, Mode
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


def test_review_approve_and_reject(make_challenge, make_user, manager):
    """Approving a flagged trip counts it; rejecting needs a reason and reverses what counted."""
    challenge = make_challenge(category=Category.MOBILITY, max_km_per_day=50.0)
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    long_trip, _ = submit_trip(enrollment, date(2026, 3, 1), Mode.PUBLIC_TRANSPORT, 80.0, True, now=NOW)
    normal, _ = submit_trip(enrollment, date(2026, 3, 2), Mode.BIKE, 5.0, True, now=NOW)
    reviewer = attached(manager)
    assert long_trip.status == SubmissionStatus.FLAGGED and enrollment.score == 5.0
    submissions.review(long_trip, reviewer, approve=True)
    assert enrollment.score == 85.0 and long_trip.reviewed_by_id == manager.id
    with pytest.raises(errors.SubmissionRefused):
        submissions.review(normal, reviewer, approve=False, reason="  ")
    submissions.review(normal, reviewer, approve=False, reason="Same trip entered by your partner.")
    assert normal.status == SubmissionStatus.REJECTED and enrollment.score == 80.0
    assert challenge.total_units == 80.0
    with pytest.raises(errors.WrongStatus):
        submissions.review(normal, reviewer, approve=True)
