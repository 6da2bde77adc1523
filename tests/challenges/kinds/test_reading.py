"""Meter readings: plausibility, the baseline, savings against it, flags and rescoring."""

from datetime import timedelta

import pytest

from app.extensions import db
from challenges import errors, participation, submissions
from challenges.kinds.reading import submit_reading
from challenges.models import SubmissionStatus
from challenges.scoring import Metric
from tests.challenges.conftest import NOW

pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


def test_readings_before_the_start_set_the_baseline_and_savings_score(make_challenge, make_user):
    """Readings before the start give the baseline; saving against it earns units and points."""
    challenge = make_challenge(starts_at=NOW - timedelta(days=7), points_per_unit=2.0)
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    start = challenge.starts_at
    submit_reading(enrollment, start - timedelta(days=10), 1000.0, now=NOW)
    submit_reading(enrollment, start - timedelta(days=1), 1090.0, now=NOW)
    assert enrollment.baseline_source == "readings" and enrollment.baseline_kwh_per_day == pytest.approx(10.0)
    # Six days later (five inside the challenge): 48 kWh used where the baseline expects 60.
    reading, created = submit_reading(enrollment, start + timedelta(days=5), 1138.0, now=NOW)
    assert created and reading.status == SubmissionStatus.ACCEPTED
    assert reading.consumed_kwh == pytest.approx(48.0)
    # 5/6 of the interval is inside: baseline 50 kWh, used 40 kWh, saved 10 kWh.
    assert reading.units == pytest.approx(10.0)
    assert reading.points == 20 and enrollment.score == pytest.approx(10.0) and enrollment.points == 20


@pytest.mark.parametrize(
    ("offset", "kwh", "rule"),
    [
        (timedelta(days=1), 1500.0, "future"),
        (timedelta(days=-1), 1000.0, "duplicate"),
        (timedelta(days=-2), 1200.0, "order"),
        (timedelta(hours=-1), 900.0, "falling"),
        (timedelta(days=-500), 100.0, "outside"),
    ],
)
def test_implausible_readings_are_refused_naming_the_rule(make_challenge, make_user, offset, kwh, rule):
    """Future, duplicate, out-of-order, falling and far-too-early readings are refused and not stored."""
    enrollment = participation.join(make_challenge(), attached(make_user()), now=NOW)
    submit_reading(enrollment, NOW - timedelta(days=1), 1000.0, now=NOW)
    with pytest.raises(errors.SubmissionRefused) as caught:
        submit_reading(enrollment, NOW + offset, kwh, now=NOW)
    assert caught.value.rule == rule


def test_implausible_consumption_is_flagged_not_counted(make_challenge, make_user):
    """More than the daily limit is flagged for review and scores nothing until approved."""
    challenge = make_challenge(max_kwh_per_day=30.0)
    enrollment = participation.join(challenge, attached(make_user()), now=NOW)
    submit_reading(enrollment, NOW - timedelta(days=3), 1000.0, now=NOW)
    reading, _ = submit_reading(enrollment, NOW - timedelta(days=2), 1100.0, now=NOW)
    assert reading.status == SubmissionStatus.FLAGGED and "100.0 kWh" in reading.flag_reason
    assert enrollment.score == 0
    assert submissions.flagged_submissions(challenge.id) == [reading]


def test_rejecting_a_reading_rescores_the_next(make_challenge, make_user, manager):
    """When a reading is rejected, the next reading's consumption is measured from the one before."""
    challenge = make_challenge(points_per_unit=1.0)
    enrollment = participation.join(challenge, attached(make_user(household_size=1)), now=NOW)
    baseline = enrollment.baseline_kwh_per_day
    start = challenge.starts_at
    submit_reading(enrollment, start + timedelta(days=1), 1000.0, now=NOW)
    wrong, _ = submit_reading(enrollment, start + timedelta(days=2), 1001.0, now=NOW)
    last, _ = submit_reading(enrollment, start + timedelta(days=3), 1004.0, now=NOW)
    submissions.review(wrong, attached(manager), approve=False, reason="Typo")
    assert last.consumed_kwh == pytest.approx(4.0)
    assert enrollment.score == pytest.approx(max(0.0, 2 * baseline - 4.0))


def test_readings_keep_the_kwh_they_saved_whatever_the_metric(make_challenge, make_user, manager):
    """A CO2 challenge scores kg, but its readings keep the kWh saved (and the CO2), also after a rescoring."""
    challenge = make_challenge(metric=Metric.CO2_KG_AVOIDED, points_per_unit=1.0)
    enrollment = participation.join(challenge, attached(make_user(household_size=1)), now=NOW)
    baseline = enrollment.baseline_kwh_per_day
    start = challenge.starts_at
    submit_reading(enrollment, start + timedelta(days=1), 1000.0, now=NOW)
    wrong, _ = submit_reading(enrollment, start + timedelta(days=2), 1003.0, now=NOW)
    last, _ = submit_reading(enrollment, start + timedelta(days=3), 1006.0, now=NOW)
    assert last.kwh_saved == pytest.approx(baseline - 3.0)
    assert last.co2_kg_avoided == pytest.approx(last.units) == pytest.approx((baseline - 3.0) * 0.38)
    submissions.review(wrong, attached(manager), approve=False, reason="Typo")
    assert wrong.kwh_saved == wrong.co2_kg_avoided == 0.0
    assert last.kwh_saved == pytest.approx(2 * baseline - 6.0)
