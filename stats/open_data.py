"""Open-data releases: city-wide figures with differential-privacy noise, within a privacy budget per resident.

The budget belongs to the resident, not to a query: every release charges its epsilon to each
resident whose data it uses (`PrivacySpend`, per calendar year of the release), whatever its range,
period length or granularity, and a release that would take any of them past the yearly total
(`STATS_DP_TOTAL_EPSILON`) is refused before any noise is drawn. With basic sequential composition
a resident's privacy loss over a year is then at most the total, however the releases are sliced.

Each release is (ε, δ)-DP for every resident, with ε = `STATS_DP_EPSILON` and δ = `DELTA`: its
measures use OpenDP's Gaussian mechanism under zero-concentrated DP, with the release's ρ (the ρ
whose (ε, δ) guarantee is ε at δ, `privacy.rho_for`) split between them (`SHARES`; ρ adds up).
Across releases ε and δ add up per resident (basic composition); with the default budget a resident
is in at most four releases a year, so δ stays below 4 × DELTA.

Why Gaussian: what bounds the noise is how far one resident can move the whole vector of P periods.
Measured in L2 (Gaussian) that is √P for a head count and a resident's clamped L2 norm for a sum;
in L1 (Laplace) it would be P and the resident's whole total — many times more noise for a release
of many periods.

Which figures, and their L2 sensitivity (one resident added or removed):
- active participants per period: at most once per period, so √P over P periods;
- registrations per period: a resident registers once, so 1;
- kWh saved, car-km avoided and CO₂ avoided per period: each resident's contributions are clamped
  to [0, ∞), then scaled down together so that their L2 norm over the release is at most
  `BOUNDS[m] × √P` (a resident adding up to BOUNDS[m] in every period is not cut), the sensitivity.
The metadata states, per measure, the noise scale (σ) and the relative error it implies for the
published values (σ against their median).
"""

import json
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import case, func, select, text

from accounts.models import User
from app.columns import utcnow
from app.extensions import db
from challenges.models import Submission
from sharing.models import Level, Purpose
from sharing.uses import record_use
from stats import figures, privacy
from stats.errors import BudgetSpent
from stats.figures import PURPOSE, Aggregator, Filters, _activity_columns
from stats.models import PrivacySpend
from stats.periods import bucket, bucket_date, buckets
from stats.release import MeasureTable, Release, Status, Value

# Per resident and period: what one resident adds at most without being cut (the release's L2 bound is this × √P).
BOUNDS = {"kwh_saved": 25.0, "car_km_avoided": 50.0, "co2_kg_avoided": 10.0}
DELTA = 1e-7  # per release: far below one in the number of residents of any city
MEASURES = ("active_participants", "registrations", "kwh_saved", "car_km_avoided", "co2_kg_avoided")
# How a release's ρ is split: the sums need the most (their sensitivity is a resident's whole clamped
# contribution); a resident registers once, so registrations need little.
SHARES = {"active_participants": 0.2, "registrations": 0.04, "kwh_saved": 0.76 / 3, "car_km_avoided": 0.76 / 3,
          "co2_kg_avoided": 0.76 / 3}  # fmt: skip
TOLERANCE = 1e-9
# BudgetSpent is raised here and caught by the views and the API as open_data.BudgetSpent.
__all__ = ["BOUNDS", "MEASURES", "BudgetSpent", "BudgetState", "budget_state", "release"]


@dataclass(frozen=True)
class BudgetState:
    """The yearly budget per resident: its total, the most any resident has spent, and in how many releases."""

    dataset: str
    total: float
    spent: float
    releases: int


def budget_state(filters: Filters | None = None, at: datetime | None = None) -> BudgetState:
    """How much of the yearly per-resident budget is spent, for the resident who has spent the most."""
    year = (at or utcnow()).year
    most = select(func.coalesce(func.max(PrivacySpend.spent_epsilon), 0.0),
                  func.coalesce(func.max(PrivacySpend.releases), 0)).where(PrivacySpend.year == year)  # fmt: skip
    spent, releases = db.session.execute(most).one()
    return BudgetState(f"residents:{year}", current_app.config["STATS_DP_TOTAL_EPSILON"], float(spent), int(releases))


def _ids_condition(dialect: str) -> str:
    if dialect == "postgresql":
        return "user_id = ANY(CAST(:ids AS integer[]))"
    return "user_id IN (SELECT value FROM json_each(:ids))"


def _charge(resident_ids: set[int], year: int, epsilon: float) -> float:
    """Spend epsilon of each resident's yearly budget, all or none; returns the most any of them has spent.

    Raises BudgetSpent, spending nothing, when any of them would pass the total. The guarded UPDATE
    re-checks each row under its row lock, so concurrent releases cannot overspend either.
    """
    total = current_app.config["STATS_DP_TOTAL_EPSILON"]
    ids = sorted(resident_ids)
    if not ids:
        return 0.0
    dialect = db.session.get_bind().dialect.name
    values = {"ids": ids if dialect == "postgresql" else json.dumps(ids), "year": year}
    rows = (
        "SELECT unnest(CAST(:ids AS integer[])), :year, 0, 0"
        if dialect == "postgresql"
        else "SELECT value, :year, 0, 0 FROM json_each(:ids) WHERE true"
    )  # WHERE: SQLite's upsert needs it
    savepoint = db.session.begin_nested()
    db.session.execute(text(f"INSERT INTO privacy_spend (user_id, year, spent_epsilon, releases) {rows} "
                            "ON CONFLICT DO NOTHING"), values)  # fmt: skip
    charged = db.session.execute(
        text(f"UPDATE privacy_spend SET spent_epsilon = spent_epsilon + :epsilon, releases = releases + 1 "
             f"WHERE year = :year AND {_ids_condition(dialect)} AND spent_epsilon + :epsilon <= :total + {TOLERANCE}"),
        {**values, "epsilon": epsilon, "total": total},
    ).rowcount  # fmt: skip
    if charged != len(ids):
        savepoint.rollback()
        spent = db.session.scalar(
            text(f"SELECT max(spent_epsilon) FROM privacy_spend WHERE year = :year AND {_ids_condition(dialect)}"),
            values,
        )
        raise BudgetSpent(float(spent or 0.0), total)
    savepoint.commit()
    return float(db.session.scalar(select(func.max(PrivacySpend.spent_epsilon)).where(PrivacySpend.year == year)))


def _clamped_sums(aggregator: Aggregator, bounds: dict[str, float]) -> dict[str, dict[str, float]]:
    """Per measure and period, the city's sum with each resident's contributions to the release clamped.

    Negative contributions count as 0; a resident whose contributions' L2 norm over the release
    exceeds the bound has every one scaled by bound / norm, so their norm is at most the bound.
    """
    filters = aggregator.filters
    window, consented = aggregator._activity_base()
    columns = _activity_columns()
    time_bucket = bucket(Submission.day, filters.granularity, aggregator.dialect).label("bucket")
    per_period = (
        select(time_bucket, Submission.user_id.label("user_id"),
               *(func.sum(columns[name]).label(name) for name in bounds))
        .where(*window, consented)
        .group_by(time_bucket, Submission.user_id)
        .subquery()
    )  # fmt: skip
    positive = {name: case((per_period.c[name] > 0, per_period.c[name]), else_=0.0) for name in bounds}
    per_resident = select(
        per_period.c.bucket,
        *(positive[name].label(name) for name in bounds),
        *(func.sum(positive[name] * positive[name]).over(partition_by=per_period.c.user_id).label(f"{name}_squares")
          for name in bounds),
    ).subquery()  # fmt: skip
    c = per_resident.c

    def clamped(name):
        bound, squares = bounds[name], c[f"{name}_squares"]
        return func.sum(case((squares > bound * bound, c[name] * bound / func.sqrt(squares)), else_=c[name]))

    query = select(c.bucket, *(clamped(name) for name in bounds)).group_by(c.bucket)
    values: dict[str, dict[str, float]] = {name: {} for name in bounds}
    for row in db.session.execute(query):
        for index, name in enumerate(bounds):
            values[name][bucket_date(row[0]).isoformat()] = float(row[1 + index] or 0.0)
    return values


def _true_values(aggregator: Aggregator, bounds: dict[str, float]) -> dict[str, dict[str, float]]:
    """Per measure and period (ISO date), the exact city-wide figure, sums clamped per resident."""
    grid = {name: defaultdict(dict) for name in figures.MEASURES}
    aggregator.activity(grid)
    aggregator.registrations(grid)
    values: dict[str, dict[str, float]] = {}
    for name in ("active_participants", "registrations"):
        values[name] = {start.isoformat(): int(cell.value) for cells in grid[name].values()
                        for start, cell in cells.items()}  # fmt: skip
    return values | _clamped_sums(aggregator, bounds)


def _relative_error(scale: float, values: list[float]) -> float | None:
    """The noise's mean absolute error against the typical published value (post-processing, no privacy cost)."""
    typical = statistics.median(abs(v) for v in values) if values else 0.0
    return round(scale / typical, 4) if typical else None


def release(filters: Filters, actor: User | None, at: datetime | None = None) -> Release:
    """A city-level release with noise, logged as a data use; charges every resident it uses first.

    Raises BudgetSpent, before any noise is drawn, when a resident whose data it would use has no
    room left in this year's budget.
    """
    at = at or utcnow()
    filters = Filters(filters.start, filters.end, filters.granularity, Level.CITY, filters.challenge_ids,
                      filters.category, ())  # fmt: skip
    epsilon = current_app.config["STATS_DP_EPSILON"]
    aggregator = Aggregator(filters, at)
    contributors = aggregator.contributors()
    used = set().union(*(contributors[name] for name in MEASURES))
    most_spent = _charge(used, at.year, epsilon)
    periods = buckets(filters.start, filters.end, filters.granularity)
    keys = [start.isoformat() for start in periods]
    bounds = {name: bound * len(keys) ** 0.5 for name, bound in BOUNDS.items()}
    true = _true_values(aggregator, bounds)
    rho = privacy.rho_for(epsilon, DELTA)
    sensitivities = {"active_participants": len(keys) ** 0.5, "registrations": 1.0, **bounds}
    tables, errors = [], {}
    for name in MEASURES:
        exact = {key: float(true[name].get(key, 0)) for key in keys}
        share, ndigits = rho * SHARES[name], (1 if name in BOUNDS else None)
        noisy = privacy.release_gaussian(exact, share, sensitivities[name], ndigits)
        scale = privacy.gaussian_scale(share, sensitivities[name])
        values = [Value(float(noisy[key]), Status.NOISY) for key in keys]
        errors[name] = {"noise_scale": round(scale, 3), "relative_error": _relative_error(scale, list(noisy.values()))}
        total = Value(sum(v.value for v in values), Status.NOISY)  # post-processing: free of privacy cost
        tables.append(MeasureTable(name, {"city": values}, {"city": total}, values, total))
    noise = {
        "mechanism": "Gaussian, zero-concentrated DP (OpenDP)", "epsilon": epsilon, "delta": DELTA, "rho": rho,
        "rho_per_measure": {n: rho * SHARES[n] for n in MEASURES}, "l2_sensitivity": sensitivities,
        "composition": "within a release ρ adds up; across releases ε and δ add up, per resident and calendar year",
        "accounting": "per resident",
        "budget_total": current_app.config["STATS_DP_TOTAL_EPSILON"], "budget_spent": most_spent,
        "dataset": f"residents:{at.year}", "clamping_l2_bounds_per_resident_and_release": bounds,
        "errors": errors,
    }  # fmt: skip
    result = Release(
        title=f"Civiquest participation (open data) {filters.start.isoformat()} – {filters.end.isoformat()}",
        filters=filters.as_dict(), buckets=periods, measures=tables, residents_included=None,
        residents_excluded=None, min_residents=0, generated_at=at, noise=noise,
    )  # fmt: skip
    purpose = db.session.scalar(select(Purpose).where(Purpose.code == PURPOSE))
    if purpose is not None:
        read = {"energy_readings": contributors["kwh_saved"], "trips": contributors["car_km_avoided"],
                "household_profile": contributors["registrations"]}  # fmt: skip
        categories = [code for code, residents in read.items() if residents]
        use = record_use(actor, purpose, categories, Level.CITY, {**filters.as_dict(), "open_data": True},
                         used, description="open-data release")  # fmt: skip
        result.export_id = use.id
    return result
