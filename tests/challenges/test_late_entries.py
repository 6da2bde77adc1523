"""Late entries (STADTRADELN's grace period): after the end, activity dated inside the challenge is still
taken for the challenge's late-entry days; it closes, with final ranks and prizes, when they are over."""

from datetime import timedelta

import pytest

from app.extensions import db
from challenges import authoring, errors, lifecycle, participation
from challenges.kinds.reading import submit_reading
from challenges.kinds.trip import submit_trip
from challenges.models import Status
from challenges.scoring import Category, Format, Metric, Mode
from tests.challenges.conftest import NOW

DAY = timedelta(days=1)
pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


@pytest.fixture
def ended(make_challenge):
    """A mobility challenge that ended yesterday and takes late entries for a week."""
    challenge = make_challenge(
        Category.MOBILITY, starts_at=NOW - 15 * DAY, ends_at=NOW - DAY, late_entry_days=7, now=NOW - 20 * DAY
    )
    lifecycle.advance_lifecycle(NOW - 15 * DAY)
    return challenge


def test_activity_from_inside_the_challenge_is_taken_during_the_late_entry_days(ended, make_user):
    """The day after the end a trip from the last day still scores; one from after the end does not."""
    enrollment = participation.join(ended, attached(make_user()), now=NOW - 10 * DAY)
    assert lifecycle.advance_lifecycle(NOW) == {"started": 0, "closed": 0}
    assert ended.status == Status.ACTIVE and ended.late_entries_until == NOW + 6 * DAY
    last_day = (ended.ends_at - timedelta(hours=2)).date()
    trip, created = submit_trip(enrollment, last_day, Mode.BIKE, 8.0, True, now=NOW)
    assert created and trip.units == pytest.approx(8.0) and enrollment.score == pytest.approx(8.0)
    with pytest.raises(errors.SubmissionRefused):
        submit_trip(enrollment, NOW.date(), Mode.BIKE, 5.0, True, now=NOW)


def test_nobody_joins_after_the_end(ended, make_user):
    """Late entries are for those who took part: joining is over at the end."""
    with pytest.raises(errors.ChallengeError):
        participation.join(ended, attached(make_user()), now=NOW)


def test_the_challenge_closes_with_final_ranks_when_the_late_entry_days_are_over(ended, make_user):
    """Final ranks come after the late entries, which count in them."""
    early = participation.join(ended, attached(make_user()), now=NOW - 10 * DAY)
    late = participation.join(ended, attached(make_user()), now=NOW - 10 * DAY)
    submit_trip(early, (NOW - 5 * DAY).date(), Mode.BIKE, 5.0, True, now=NOW - 5 * DAY)
    submit_trip(late, (NOW - 2 * DAY).date(), Mode.BIKE, 9.0, True, now=NOW + 5 * DAY)  # sent late, still in time
    assert lifecycle.advance_lifecycle(NOW + 6 * DAY - timedelta(seconds=1))["closed"] == 0
    assert lifecycle.advance_lifecycle(NOW + 6 * DAY)["closed"] == 1
    assert ended.status == Status.CLOSED
    assert (late.final_rank, early.final_rank) == (1, 2)
    with pytest.raises(errors.SubmissionRefused):
        submit_trip(early, (NOW - 3 * DAY).date(), Mode.BIKE, 20.0, True, now=NOW + 6 * DAY)


def test_without_late_entry_days_a_challenge_closes_at_its_end(make_challenge):
    """Zero days: closed at the end, as before."""
    challenge = make_challenge(Category.MOBILITY, starts_at=NOW - 15 * DAY, ends_at=NOW - DAY, now=NOW - 20 * DAY)
    assert challenge.late_entry_days == 0
    assert lifecycle.advance_lifecycle(NOW)["closed"] == 1


def test_a_reading_taken_during_the_late_entry_days_counts_for_the_part_before_the_end(make_challenge, make_user):
    """Read two days after the end, the meter still tells what was used during the challenge's last days."""
    challenge = make_challenge(
        format=Format.NEIGHBOURHOOD, metric=Metric.KWH_SAVED, points_per_unit=1.0, starts_at=NOW - 15 * DAY,
        ends_at=NOW - 2 * DAY, late_entry_days=7, now=NOW - 20 * DAY,
    )  # fmt: skip
    lifecycle.advance_lifecycle(NOW - 15 * DAY)
    enrollment = participation.join(challenge, attached(make_user(household_size=1)), now=NOW - 15 * DAY)
    submit_reading(enrollment, NOW - 4 * DAY, 1000.0, now=NOW - 4 * DAY)
    reading, _ = submit_reading(enrollment, NOW, 1012.0, now=NOW)  # 3 a day over 4 days, 2 of them inside
    assert reading.units == pytest.approx(2 * 4.38 - 6.0)
    with pytest.raises(errors.SubmissionRefused):
        submit_reading(enrollment, NOW + 6 * DAY, 1030.0, now=NOW + 6 * DAY)


@pytest.mark.parametrize("days", [-1, 15])
def test_late_entry_days_are_zero_to_fourteen(manager, days):
    """Longer than two weeks would keep a finished challenge's prizes waiting too long."""
    with pytest.raises(errors.InvalidChallenge) as caught:
        authoring.create_challenge(attached(manager), title="Late", late_entry_days=days)
    assert set(caught.value.errors) == {"late_entry_days"}
