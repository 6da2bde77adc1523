"""The scoring maths, without a database."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from challenges import scoring
from challenges.scoring import Metric, Mode

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_reference_rate_grows_with_household_and_is_capped_at_five():
    """Bigger households get a higher reference; six or more use the five-person value."""
    rates = [scoring.reference_daily_kwh(size) for size in range(1, 8)]
    assert rates == sorted(rates)
    assert scoring.reference_daily_kwh(12) == scoring.reference_daily_kwh(5)
    assert scoring.reference_daily_kwh(0) == scoring.reference_daily_kwh(1)


def test_baseline_from_readings():
    """The baseline is the daily rate from the first to the last earlier reading, two weeks apart at least."""
    readings = [(T0, 1000.0), (T0 + timedelta(days=10), 1040.0), (T0 + timedelta(days=14), 1056.0)]
    assert scoring.baseline_from_readings(readings, household_size=1) == pytest.approx(4.0)


@pytest.mark.parametrize(("daily", "kept"), [(1.0, 0.5 * 4.38), (4.0, 4.0), (20.0, 2 * 4.38)])
def test_an_own_baseline_stays_within_half_and_twice_the_reference(daily, kept):
    """Own readings cannot make a baseline far from the household-size reference, in either direction."""
    readings = [(T0, 1000.0), (T0 + timedelta(days=14), 1000.0 + 14 * daily)]
    assert scoring.baseline_from_readings(readings, household_size=1) == pytest.approx(kept)


def test_no_stretch_saves_more_than_half_the_baseline():
    """Using nothing at all saves half the baseline's use, not all of it: zero use is a claim, not a saving."""
    assert scoring.kwh_saved(8.0, 0.0, 5) == pytest.approx(20.0)
    assert scoring.kwh_saved(8.0, 30.0, 5) == pytest.approx(10.0)


@pytest.mark.parametrize(
    "readings",
    [[], [(T0, 1000.0)], [(T0, 1000.0), (T0 + timedelta(days=13), 1040.0)], [(T0, 1000.0), (T0 + timedelta(20), 990)]],
)
def test_baseline_needs_a_day_of_rising_readings(readings):
    """Too few, less than two weeks apart or falling readings give no baseline (the reference is used instead)."""
    assert scoring.baseline_from_readings(readings) is None


def test_interval_share_inside_window():
    """Only the part of an interval inside the challenge counts."""
    start, end = T0, T0 + timedelta(days=10)
    assert scoring.interval_in_window(T0 - timedelta(days=2), T0 + timedelta(days=2), start, end) == 0.5
    assert scoring.interval_in_window(T0 + timedelta(days=1), T0 + timedelta(days=3), start, end) == 1.0
    assert scoring.interval_in_window(T0 - timedelta(days=3), T0 - timedelta(days=1), start, end) == 0.0


def test_kwh_saved_is_never_negative():
    """Using more than the baseline saves nothing rather than costing points."""
    assert scoring.kwh_saved(8.0, 30.0, 5) == pytest.approx(10.0)
    assert scoring.kwh_saved(8.0, 50.0, 5) == 0.0


@pytest.mark.parametrize(
    ("metric", "mode", "km", "replaced", "expected"),
    [
        (Metric.SUSTAINABLE_TRIPS, Mode.BIKE, 3.0, False, 1.0),
        (Metric.SUSTAINABLE_TRIPS, Mode.CAR, 3.0, False, 0.0),
        (Metric.CAR_KM_AVOIDED, Mode.BIKE, 3.0, True, 3.0),
        (Metric.CAR_KM_AVOIDED, Mode.BIKE, 3.0, False, 0.0),
        (Metric.CAR_KM_AVOIDED, Mode.CAR, 3.0, True, 0.0),
        (Metric.CO2_KG_AVOIDED, Mode.BIKE, 10.0, True, 1.66),
        (Metric.CO2_KG_AVOIDED, Mode.PUBLIC_TRANSPORT, 10.0, True, 0.96),
        (Metric.CO2_KG_AVOIDED, Mode.CARPOOL, 10.0, True, 0.83),
    ],
)
def test_trip_units(metric, mode, km, replaced, expected):
    """What a trip is worth under each metric, with the documented emission factors."""
    assert scoring.trip_units(metric, mode, km, replaced) == pytest.approx(expected)


def test_energy_units_in_co2():
    """kWh saved convert to CO2 with the grid factor."""
    assert scoring.energy_units(Metric.CO2_KG_AVOIDED, 10.0, 100.0) == pytest.approx(3.8)
    assert scoring.energy_units(Metric.KWH_SAVED, 10.0, 100.0) == 10.0


def test_the_share_saved_is_a_share_of_the_whole_challenges_usual_use():
    """10 kWh saved of 200 kWh usual use over the challenge is 5 %, whoever saved it; no usual use, no share."""
    assert scoring.energy_units(Metric.SHARE_SAVED, 10.0, 200.0) == pytest.approx(5.0)
    assert scoring.energy_units(Metric.SHARE_SAVED, 10.0, 0.0) == 0.0


def test_daily_cap():
    """Points never take a day past its cap; without a cap they are whole points of units × rate."""
    assert scoring.capped_points(2.5, 10, 0, None) == 25
    assert scoring.capped_points(2.5, 10, 0, 20) == 20
    assert scoring.capped_points(2.5, 10, 15, 20) == 5
    assert scoring.capped_points(2.5, 10, 25, 20) == 0


@given(
    units=st.floats(0, 1e4), rate=st.floats(0, 100), already=st.integers(0, 1000), cap=st.none() | st.integers(1, 500)
)
def test_capped_points_properties(units, rate, already, cap):
    """Points are whole, never negative, and never push the day's total past the cap."""
    points = scoring.capped_points(units, rate, already, cap)
    assert isinstance(points, int) and points >= 0
    if cap is not None:
        assert points <= max(0, cap - already)
    assert points <= units * rate + 1e-6


def test_per_household_lets_small_places_win():
    """Normalised per participating household, a small active place beats a big idle one."""
    assert scoring.per_household(30.0, 3) > scoring.per_household(100.0, 50)
    assert scoring.per_household(10.0, 0) == 0.0


@given(
    mode=st.sampled_from(list(Mode)),
    distance=st.floats(min_value=0.1, max_value=1000),
    replaced=st.booleans(),
)
def test_a_trip_saves_only_when_sustainable_and_replacing_a_car(mode, distance, replaced):
    """Car-km and CO2 avoided come only from sustainable trips that replaced a car, and agree with the scoring."""
    impact = scoring.trip_impact(mode, distance, replaced)
    counts = replaced and mode in scoring.SUSTAINABLE_MODES
    assert impact.car_km_avoided == (distance if counts else 0.0)
    assert impact.co2_kg_avoided == pytest.approx(scoring.trip_units(Metric.CO2_KG_AVOIDED, mode, distance, replaced))
    assert impact.kwh_saved == 0.0


@given(saved=st.floats(min_value=0, max_value=10_000))
def test_a_reading_saves_the_same_kwh_under_either_energy_metric(saved):
    """kWh and CO2 metrics score the same saving in different units; the kept saving is the same."""
    for metric in (Metric.SHARE_SAVED, Metric.KWH_SAVED, Metric.CO2_KG_AVOIDED):
        impact = scoring.reading_impact(metric, scoring.energy_units(metric, saved, 1234.5), 1234.5)
        assert impact.kwh_saved == pytest.approx(saved, abs=1e-5)  # shares are kept to a millionth of a per cent
        assert impact.co2_kg_avoided == pytest.approx(saved * scoring.GRID_KG_PER_KWH, abs=1e-5)
        assert impact.car_km_avoided == 0.0
    assert scoring.reading_impact(Metric.SUSTAINABLE_TRIPS, saved, 1234.5) == scoring.Impact()
