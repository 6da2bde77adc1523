"""Meter readings: plausibility, the baseline, savings against it, flags and rescoring."""

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from challenges import errors, participation, submissions
from challenges.kinds.reading import METER_READING, submit_reading
from challenges.models import SubmissionStatus
from challenges.scoring import Format, Metric
from tests.challenges.conftest import NOW

# Scored in kWh: a neighbourhood challenge (residents ranked one by one in energy score the share saved).
IN_KWH = {"format": Format.NEIGHBOURHOOD, "metric": Metric.KWH_SAVED}

pytestmark = pytest.mark.usefixtures("ctx")


def attached(obj):
    return db.session.merge(obj)


def test_readings_before_the_start_set_the_baseline_and_savings_score(make_challenge, make_user):
    """Readings sent before the start, two weeks apart or more, give the baseline; saving against it scores."""
    challenge = make_challenge(**IN_KWH, starts_at=NOW - timedelta(days=7), points_per_unit=2.0)
    start = challenge.starts_at
    enrollment = participation.join(challenge, attached(make_user(household_size=3)), now=start - timedelta(days=20))
    submit_reading(enrollment, start - timedelta(days=16), 1000.0, now=start - timedelta(days=16))
    submit_reading(enrollment, start - timedelta(days=1), 1150.0, now=start - timedelta(days=1))
    assert enrollment.baseline_source == "readings" and enrollment.baseline_kwh_per_day == pytest.approx(10.0)
    # Six days later (five inside the challenge): 48 kWh used where the baseline expects 60.
    reading, created = submit_reading(enrollment, start + timedelta(days=5), 1198.0, now=NOW)
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
    enrollment = participation.join(challenge, attached(make_user()), now=challenge.starts_at)
    submit_reading(enrollment, NOW - timedelta(days=3), 1000.0, now=NOW)
    reading, _ = submit_reading(enrollment, NOW - timedelta(days=2), 1100.0, now=NOW)
    assert reading.status == SubmissionStatus.FLAGGED and "100.0 kWh" in reading.flag_reason
    assert enrollment.score == 0
    assert submissions.flagged_submissions(challenge.id) == [reading]


def test_rejecting_a_reading_rescores_the_next(make_challenge, make_user, manager):
    """When a reading is rejected, the next reading's consumption is measured from the one before."""
    challenge = make_challenge(**IN_KWH, points_per_unit=1.0)
    enrollment = participation.join(challenge, attached(make_user(household_size=1)), now=challenge.starts_at)
    baseline = enrollment.baseline_kwh_per_day
    start = challenge.starts_at
    submit_reading(enrollment, start + timedelta(days=1), 1000.0, now=NOW)
    wrong, _ = submit_reading(enrollment, start + timedelta(days=2), 1001.0, now=NOW)
    last, _ = submit_reading(enrollment, start + timedelta(days=3), 1004.0, now=NOW)
    submissions.review(wrong, attached(manager), approve=False, reason="Typo")
    assert last.consumed_kwh == pytest.approx(4.0)
    assert enrollment.score == pytest.approx(min(2 * baseline - 4.0, baseline))  # at most half the usual use


def test_readings_typed_after_the_start_set_no_baseline(make_challenge, make_user):
    """Readings dated before the start but sent after it leave the reference as the baseline: a latecomer
    cannot choose the use their savings are measured against."""
    challenge = make_challenge(**IN_KWH)
    start = challenge.starts_at
    enrollment = participation.join(challenge, attached(make_user(household_size=2)), now=NOW)
    submit_reading(enrollment, start - timedelta(days=60), 1000.0, now=NOW)
    reading, _ = submit_reading(enrollment, start - timedelta(days=1), 2770.0, now=NOW)  # 30 kWh a day, "usually"
    assert enrollment.baseline_source == "reference" and enrollment.baseline_kwh_per_day == pytest.approx(6.85)
    assert "do not change your baseline" in METER_READING.saved_note(reading)


def test_a_late_joiner_scores_from_the_day_they_joined(make_challenge, make_user):
    """Readings that say what was used before the day of joining count for nothing, however low."""
    challenge = make_challenge(**IN_KWH, points_per_unit=1.0)
    start = challenge.starts_at
    enrollment = participation.join(challenge, attached(make_user(household_size=1)), now=NOW)
    submit_reading(enrollment, start + timedelta(hours=1), 1000.0, now=NOW)
    early, _ = submit_reading(enrollment, NOW - timedelta(days=1), 1020.0, now=NOW)  # 3.4 a day: a saving
    assert early.status == SubmissionStatus.ACCEPTED and early.units == 0.0
    later, _ = submit_reading(enrollment, NOW + timedelta(days=2), 1024.0, now=NOW + timedelta(days=2))
    # Scored from midnight of the joining day (11:00 UTC, Berlin's day began at 23:00 UTC the day before).
    scored_days = (NOW + timedelta(days=2) - datetime(2026, 3, 3, 23, 0, tzinfo=UTC)).total_seconds() / 86_400
    share = scored_days / 3.0
    assert later.units == pytest.approx(min(4.38 * scored_days - 4.0 * share, 0.5 * 4.38 * scored_days))


def test_readings_keep_the_kwh_they_saved_whatever_the_metric(make_challenge, make_user, manager):
    """A CO2 challenge scores kg, but its readings keep the kWh saved (and the CO2), also after a rescoring."""
    challenge = make_challenge(metric=Metric.CO2_KG_AVOIDED, format=Format.NEIGHBOURHOOD, points_per_unit=1.0)
    enrollment = participation.join(challenge, attached(make_user(household_size=1)), now=challenge.starts_at)
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
