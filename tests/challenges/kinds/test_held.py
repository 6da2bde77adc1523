"""Held readings are not a base: a reading waiting for review counts for nothing – not as the start of the next
reading, not in the chart – until approved; approving or rejecting it rescores what followed it."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from challenges import errors, participation, submissions
from challenges.kinds.reading import METER_READING, submit_reading
from challenges.models import Submission, SubmissionStatus
from challenges.scoring import Format, Metric, reference_daily_kwh
from rewards import ledger
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")
BASELINE = reference_daily_kwh(1)  # 4.38 kWh a day: one person, no readings before the start


def attached(obj):
    return db.session.merge(obj)


def counted_units(enrollment) -> float:
    query = select(func.coalesce(func.sum(Submission.units), 0.0)).where(Submission.enrollment_id == enrollment.id)
    return db.session.scalar(query)


@pytest.fixture
def reader(make_challenge, make_user):
    """A one-person household in a running energy challenge (1 point per kWh), with a first reading at the start."""
    challenge = make_challenge(format=Format.NEIGHBOURHOOD, metric=Metric.KWH_SAVED, points_per_unit=1.0)
    enrollment = participation.join(challenge, attached(make_user(household_size=1)), now=challenge.starts_at)
    submit_reading(enrollment, challenge.starts_at + timedelta(hours=1), 5000.0, now=NOW)
    return enrollment


def day(enrollment, days: float):
    return enrollment.challenge.starts_at + timedelta(days=days, hours=1)


def test_the_reading_after_a_held_one_is_measured_from_the_last_counted(reader):
    """A held slip (ten times the meter) is no base: the next reading is measured from the counted one before."""
    slip, _ = submit_reading(reader, day(reader, 2), 50035.0, now=NOW)
    assert slip.status == SubmissionStatus.FLAGGED
    # Lower than the held slip, and still taken: the slip blocks nothing.
    good, _ = submit_reading(reader, day(reader, 4), 5014.0, now=NOW)
    assert good.status == SubmissionStatus.ACCEPTED and good.consumed_kwh == pytest.approx(14.0)
    assert good.units == pytest.approx(4 * BASELINE - 14.0)
    assert reader.score == pytest.approx(good.units) == pytest.approx(counted_units(reader))


def test_the_chart_leaves_a_held_reading_out(reader):
    """The chart's figures come from counted readings only; the held one is listed as pending on the page."""
    submit_reading(reader, day(reader, 2), 5001.0, now=NOW)  # near-zero use: held
    submit_reading(reader, day(reader, 4), 5014.0, now=NOW)
    chart = METER_READING.chart(reader)
    used = [kwh for _day, kwh, _difference in chart["rows"]]
    assert used and all(kwh == pytest.approx(3.5) for kwh in used)  # 14 kWh over 4 days, nothing of the held one


def test_approving_a_held_reading_rescores_what_followed(reader, manager):
    """Approved, the held reading becomes the base of the next one; both are scored anew and the totals agree."""
    held, _ = submit_reading(reader, day(reader, 2), 5001.0, now=NOW)
    after, _ = submit_reading(reader, day(reader, 4), 5014.0, now=NOW)
    assert held.status == SubmissionStatus.FLAGGED
    submissions.review(held, attached(manager), approve=True)
    assert held.units == pytest.approx(BASELINE)  # 1 kWh in 2 days saves at most half the baseline's use
    assert after.consumed_kwh == pytest.approx(13.0) and after.units == pytest.approx(0.0)  # 6.5 a day: above
    assert reader.score == pytest.approx(counted_units(reader)) == pytest.approx(held.units)
    assert ledger.balance(reader.user_id) == reader.points == held.points + after.points


def test_rejecting_a_held_reading_changes_nothing_that_counts(reader, manager):
    """A held reading never was a base, so rejecting it leaves the next reading as it was."""
    held, _ = submit_reading(reader, day(reader, 2), 5001.0, now=NOW)
    after, _ = submit_reading(reader, day(reader, 4), 5014.0, now=NOW)
    units, points = after.units, after.points
    submissions.review(held, attached(manager), approve=False, reason="The meter was misread.")
    assert (after.units, after.points) == (units, points)
    assert reader.score == pytest.approx(units)


def test_a_held_reading_that_no_longer_fits_cannot_be_approved(reader, manager):
    """A held reading above a later counted one would make the meter fall: approving it is refused."""
    slip, _ = submit_reading(reader, day(reader, 2), 50035.0, now=NOW)
    submit_reading(reader, day(reader, 4), 5014.0, now=NOW)
    with pytest.raises(errors.SubmissionRefused) as caught:
        submissions.review(slip, attached(manager), approve=True)
    assert caught.value.rule == "falling" and slip.status == SubmissionStatus.FLAGGED
