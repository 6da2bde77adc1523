"""The scoring maths, in one place and free of the database: units, baselines, factors, caps.

Everything a challenge page explains to residents comes from the tables here, so the rules
shown and the rules applied cannot drift apart.
"""

import enum
import math
from datetime import datetime
from typing import NamedTuple


class Category(enum.StrEnum):
    ENERGY = "energy"
    MOBILITY = "mobility"


class Metric(enum.StrEnum):
    SHARE_SAVED = "share_saved"  # per cent of the resident's usual use over the challenge: the fair individual rank
    KWH_SAVED = "kwh_saved"
    CAR_KM_AVOIDED = "car_km_avoided"
    SUSTAINABLE_TRIPS = "sustainable_trips"
    CO2_KG_AVOIDED = "co2_kg_avoided"


class Format(enum.StrEnum):
    INDIVIDUAL = "individual"
    NEIGHBOURHOOD = "neighbourhood"
    COLLECTIVE = "collective"


class Mode(enum.StrEnum):
    WALK = "walk"
    BIKE = "bike"
    PUBLIC_TRANSPORT = "public_transport"
    CARPOOL = "carpool"
    CAR = "car"


# Which metrics a category may use; co2 works for both.
METRICS_BY_CATEGORY = {
    Category.ENERGY: (Metric.SHARE_SAVED, Metric.KWH_SAVED, Metric.CO2_KG_AVOIDED),
    Category.MOBILITY: (Metric.CAR_KM_AVOIDED, Metric.SUSTAINABLE_TRIPS, Metric.CO2_KG_AVOIDED),
}

SUSTAINABLE_MODES = frozenset({Mode.WALK, Mode.BIKE, Mode.PUBLIC_TRANSPORT, Mode.CARPOOL})
# The modes that may replace a car trip: on foot, by bike, by bus or train, and a shared car ride (car-pooling
# or car-sharing with others, counted as half a car). A trip by car alone never replaces a car trip.
REPLACES_CAR = SUSTAINABLE_MODES

# Emission factors in kg CO2-equivalent. Sources: Umweltbundesamt (UBA), "Emissionsdaten" 2023
# (passenger transport, per person-km) and the UBA's 2023 factor for the German electricity mix.
# A car-pool trip counts half a car; walking and cycling emit nothing directly.
GRID_KG_PER_KWH = 0.380
KG_PER_KM = {
    Mode.CAR: 0.166,
    Mode.CARPOOL: 0.083,
    Mode.PUBLIC_TRANSPORT: 0.070,
    Mode.BIKE: 0.0,
    Mode.WALK: 0.0,
}
EMISSION_FACTOR_SOURCE = "Umweltbundesamt (UBA), Emissionsdaten 2023"

# Reference electricity use of a household by size, kWh per day, when a resident has no readings
# from before the start. From the Stromspiegel für Deutschland 2023 (median, flat without electric
# heating), converted from kWh/year to kWh/day; households of five or more use the five-person value.
REFERENCE_KWH_PER_DAY = {1: 4.38, 2: 6.85, 3: 8.49, 4: 9.59, 5: 11.23}
REFERENCE_SOURCE = "Stromspiegel für Deutschland 2023"

# Plausibility defaults: more than this in one day is flagged for a manager to review.
DEFAULT_MAX_KWH_PER_DAY = 60.0
DEFAULT_MAX_KM_PER_DAY = 150.0
SECONDS_PER_DAY = 86_400

# Plausibility that knows the domain: what is held for a manager's review rather than paid. The rules
# page words each of these; change them here and it says the new numbers.
# Baselines a resident cannot choose. The own daily rate counts only from counted readings *sent* before the
# challenge started and spanning at least MIN_BASELINE_DAYS; it is kept within BASELINE_RANGE times the
# reference for the household size. Anyone else — a latecomer too — is measured against that reference.
MIN_BASELINE_DAYS = 14
BASELINE_RANGE = (0.5, 2.0)
# No stretch between two readings saves more than this share of the baseline's use over it.
MAX_SAVED_SHARE = 0.5

# Meter readings: use is judged over at least JUDGED_DAYS, from the latest counted reading that far back.
# Less than LOW_USE_SHARE of the reference for the household size a day is (near) zero use; more than
# HIGH_USE_FACTOR times the reference (or the resident's own baseline, where that is higher) is far above it.
JUDGED_DAYS = 1.0
LOW_USE_SHARE = 0.25
HIGH_USE_FACTOR = 3.0
# Trips: a day whose trips add up to more than USUAL_FACTOR times the resident's usual day, by count or by
# km, is held. The usual day is the median of their other days with counted trips in the challenge, once
# there are USUAL_MIN_DAYS of them (before that, only the challenge's km limit applies).
USUAL_FACTOR = 3.0
USUAL_MIN_DAYS = 5


def reference_daily_kwh(household_size: int) -> float:
    """The documented reference daily use for a household of this size."""
    return REFERENCE_KWH_PER_DAY[min(max(household_size, 1), 5)]


def low_use_limit(household_size: int) -> float:
    """Daily use below which a reading is held as (near) zero use."""
    return LOW_USE_SHARE * reference_daily_kwh(household_size)


def high_use_limit(household_size: int, baseline: float | None) -> float:
    """Daily use above which a reading is held as far above the household's range."""
    return HIGH_USE_FACTOR * max(reference_daily_kwh(household_size), baseline or 0.0)


def days_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / SECONDS_PER_DAY


def baseline_from_readings(readings: list[tuple[datetime, float]], household_size: int = 1) -> float | None:
    """The own daily rate from the first to the last of (time, cumulative kWh) readings, kept within
    BASELINE_RANGE of the household-size reference; None if they span less than MIN_BASELINE_DAYS."""
    if len(readings) < 2:
        return None
    (first_at, first_kwh), (last_at, last_kwh) = readings[0], readings[-1]
    days = days_between(first_at, last_at)
    if days < MIN_BASELINE_DAYS or last_kwh < first_kwh:
        return None
    reference = reference_daily_kwh(household_size)
    low, high = BASELINE_RANGE
    return min(max((last_kwh - first_kwh) / days, low * reference), high * reference)


def interval_in_window(start: datetime, end: datetime, window_start: datetime, window_end: datetime) -> float:
    """The share (0..1) of the interval start..end that falls inside the challenge window."""
    total = (end - start).total_seconds()
    if total <= 0:
        return 0.0
    inside = (min(end, window_end) - max(start, window_start)).total_seconds()
    return max(0.0, inside) / total


def kwh_saved(baseline_per_day: float, consumed_kwh: float, days: float) -> float:
    """Energy saved over `days` against the baseline, at most MAX_SAVED_SHARE of it; using more saves nothing.

    No negative scores: Civiquest nudges, it does not punish a cold week.
    """
    usual = baseline_per_day * days
    return max(0.0, min(usual - consumed_kwh, MAX_SAVED_SHARE * usual))


def trip_units(metric: Metric, mode: Mode, distance_km: float, replaced_car: bool) -> float:
    """What one trip is worth under `metric`."""
    sustainable = mode in SUSTAINABLE_MODES
    if metric == Metric.SUSTAINABLE_TRIPS:
        return 1.0 if sustainable else 0.0
    if not (sustainable and replaced_car):
        return 0.0
    if metric == Metric.CAR_KM_AVOIDED:
        return distance_km
    if metric == Metric.CO2_KG_AVOIDED:
        return distance_km * (KG_PER_KM[Mode.CAR] - KG_PER_KM[mode])
    return 0.0


def energy_units(metric: Metric, saved_kwh: float, usual_kwh: float) -> float:
    """kWh saved expressed in the challenge's metric; `usual_kwh` is the baseline's use over the whole challenge.

    The share saved is measured against the whole challenge, not the days a resident sent readings for, so
    a short span or a late start cannot make a large share, and households of any size compete as equals.
    """
    if metric == Metric.SHARE_SAVED:
        # Rounded to a millionth of a per cent, so equal shares tie whatever kWh they were computed from.
        return round(100.0 * saved_kwh / usual_kwh, 6) if usual_kwh > 0 else 0.0
    return saved_kwh * GRID_KG_PER_KWH if metric == Metric.CO2_KG_AVOIDED else saved_kwh


class Impact(NamedTuple):
    """What a counted submission saved, whatever its challenge scores: kept on it for the city's statistics."""

    kwh_saved: float = 0.0
    car_km_avoided: float = 0.0
    co2_kg_avoided: float = 0.0


def reading_impact(metric: Metric, units: float, usual_kwh: float) -> Impact:
    """A reading's saving, from its units in an energy metric (other metrics do not count readings)."""
    if metric == Metric.SHARE_SAVED:
        kwh = units / 100.0 * usual_kwh
    elif metric == Metric.CO2_KG_AVOIDED:
        kwh = units / GRID_KG_PER_KWH
    elif metric == Metric.KWH_SAVED:
        kwh = units
    else:
        kwh = 0.0
    return Impact(kwh_saved=kwh, co2_kg_avoided=kwh * GRID_KG_PER_KWH)


def trip_impact(mode: Mode, distance_km: float, replaced_car: bool) -> Impact:
    """A trip saves only when it was sustainable and replaced a car trip."""
    if not (replaced_car and mode in SUSTAINABLE_MODES):
        return Impact()
    saving_per_km = KG_PER_KM[Mode.CAR] - KG_PER_KM[mode]
    return Impact(car_km_avoided=distance_km, co2_kg_avoided=distance_km * saving_per_km)


def capped_points(units: float, points_per_unit: float, already_today: int, daily_cap: int | None) -> int:
    """Whole points for `units`, never taking the day's total past the daily cap."""
    points = math.floor(units * points_per_unit + 1e-9)
    if daily_cap is None:
        return max(points, 0)
    return max(0, min(points, daily_cap - already_today))


def capped(
    units: float, points_per_unit: float, already: tuple[float, int], daily_cap: int | None
) -> tuple[float, int]:
    """(units, points) within what the daily cap leaves after the (units, points) already counted that day.

    The cap binds the score as it binds the points: units count only as far as points are paid for them
    (a challenge paying no points per unit has nothing for its cap to bind).
    """
    already_units, already_points = already
    if daily_cap is not None and points_per_unit > 0:
        units = min(units, max(0.0, daily_cap / points_per_unit - already_units))
    return units, capped_points(units, points_per_unit, already_points, daily_cap)


def per_household(total_units: float, participating_households: int) -> float:
    """A neighbourhood's score per participating household, so small places can beat big ones."""
    return total_units / participating_households if participating_households else 0.0
