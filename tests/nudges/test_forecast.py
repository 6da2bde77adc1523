"""The forecast maths on synthetic series with a known trend and season, free of the database."""

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from nudges import forecast

BASE = 50.0  # kWh a week
MONDAY = datetime(2026, 3, 2, tzinfo=UTC)


def percent(series: list[float], baseline: float = BASE) -> float:
    return forecast.forecast(series, baseline).percent_above_baseline


def test_a_rising_series_alarms():
    """A use rising 2 % a week for 8 weeks is forecast well above baseline."""
    series = [BASE * (1 + 0.02 * week) for week in range(8)]
    result = forecast.forecast(series, BASE)
    assert result.alarms(10)
    assert result.weekly_kwh == sorted(result.weekly_kwh)  # the trend carries on into the forecast


def test_a_step_up_alarms():
    """A household that started using 20 % more four weeks ago is caught."""
    assert forecast.forecast([BASE] * 4 + [BASE * 1.2] * 4, BASE).alarms(10)


def test_a_flat_series_stays_quiet():
    """A constant use at baseline is forecast exactly at baseline."""
    assert percent([BASE] * 10) == pytest.approx(0.0)
    assert not forecast.forecast([BASE] * 10, BASE).alarms(10)


def test_a_falling_series_stays_quiet():
    """Saving energy never raises the alarm."""
    assert percent([BASE * (1 - 0.02 * week) for week in range(10)]) < 0


@pytest.mark.parametrize("seed", range(200))
def test_noise_around_the_baseline_stays_quiet(seed):
    """5 % noise around a flat use, over 4 to 26 weeks, does not look like a rise."""
    rng = random.Random(seed)
    series = [BASE * (1 + rng.gauss(0, 0.05)) for _ in range(rng.randint(4, 26))]
    assert not forecast.forecast(series, BASE).alarms(10)


@pytest.mark.parametrize("phase", range(0, 52, 4))
def test_a_small_season_without_trend_stays_quiet(phase):
    """A yearly season of ±5 % seen over ten weeks, at any time of year, stays under a 10 % threshold."""
    series = [BASE * (1 + 0.05 * math.cos(2 * math.pi * (phase + week) / 52)) for week in range(10)]
    assert not forecast.forecast(series, BASE).alarms(10)


@pytest.mark.parametrize("phase", range(0, 52, 4))
def test_a_trend_on_top_of_a_season_alarms(phase):
    """A 3 %-a-week rise shows through a ±5 % season, whatever the time of year."""
    series = [BASE * (1 + 0.03 * week + 0.05 * math.cos(2 * math.pi * (phase + week) / 52)) for week in range(10)]
    assert forecast.forecast(series, BASE).alarms(10)


def test_too_few_weeks_give_no_forecast():
    """Three weeks are too few for a trend: no forecast, so no advice."""
    assert forecast.forecast([BASE, BASE * 2, BASE * 3], BASE) is None
    assert forecast.forecast([], BASE) is None


def test_holt_follows_a_linear_series():
    """On an exact line Holt's trend converges to its slope."""
    level, trend = forecast.holt([10.0 + 2.0 * week for week in range(60)])
    assert trend == pytest.approx(2.0, rel=0.01)
    assert level == pytest.approx(128.0, rel=0.01)


def test_weekly_totals_interpolate_between_readings():
    """Readings every 3.5 days at 1 kWh an hour give 168 kWh in each whole week; partial weeks are left out."""
    readings = [(MONDAY - timedelta(hours=84 * step), 10_000.0 - 84.0 * step) for step in range(10)]
    totals = forecast.weekly_totals(readings, MONDAY)
    assert totals == pytest.approx([168.0] * 4)


def test_weekly_totals_from_sparse_readings():
    """Two readings four weeks apart spread their use evenly over the weeks between them."""
    readings = [(MONDAY - timedelta(weeks=4), 100.0), (MONDAY, 500.0)]
    assert forecast.weekly_totals(readings, MONDAY) == pytest.approx([100.0] * 4)


def test_weekly_totals_ignore_a_meter_running_backwards():
    """A reading lower than the one before (a typo) is dropped, not read as negative use."""
    readings = [(MONDAY - timedelta(weeks=2), 100.0), (MONDAY - timedelta(weeks=1), 50.0), (MONDAY, 300.0)]
    assert forecast.weekly_totals(readings, MONDAY) == pytest.approx([100.0, 100.0])


def test_no_readings_no_weeks():
    """One reading or none cannot make a week."""
    assert forecast.weekly_totals([(MONDAY, 5.0)], MONDAY) == []
