"""Open-data releases: city-wide figures with differential-privacy noise, within a privacy budget per resident.

The budget belongs to the resident, not to a query: every release charges its epsilon to each
resident whose data it uses (`PrivacySpend`, per calendar year of the release), whatever its range,
period length or granularity, and a release that would take any of them past the yearly total
(`STATS_DP_TOTAL_EPSILON`) is refused before any noise is drawn. With basic sequential composition
a resident's privacy loss over a year is then at most the total, however the releases are sliced.

Which figures, and why their sensitivity is what it is (one resident added or removed):
- active participants per period: a resident counts at most once per period, so over P periods
  the release moves by at most P;
- registrations per period: a resident registers once, sensitivity 1;
- kWh saved, car-km avoided and CO₂ avoided per period: each resident's contributions are clamped
  to [0, ∞) and then scaled down together so that their sum over the whole release is at most
  `bound = BOUNDS[m] × √P` — the sensitivity of the whole vector of P sums. (√P balances the two
  errors: a bound of BOUNDS × P would need P times the noise, a bound of BOUNDS would cut most
  residents' totals over a long release.)
A release's epsilon is split between these five measures (`SHARES`); the mechanisms are OpenDP's
Laplace (discrete for counts), see `stats.privacy`. The metadata states, per measure, the noise
scale (the mean absolute error) and the relative error it implies for the published values.
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
from stats.figures import CATEGORIES, PURPOSE, Aggregator, Filters, _activity_columns
from stats.models import PrivacySpend
from stats.periods import bucket, bucket_date, buckets
from stats.release import MeasureTable, Release, Status, Value

# Per resident and period: what one resident typically adds at most (a release's bound is this × √periods).
BOUNDS = {"kwh_saved": 50.0, "car_km_avoided": 300.0, "co2_kg_avoided": 60.0}
MEASURES = ("active_participants", "registrations", "kwh_saved", "car_km_avoided", "co2_kg_avoided")
# How a release's epsilon is split: the sums need the most (their sensitivity is a resident's whole clamped
# contribution); a resident registers once, so registrations need little.
SHARES = {"active_participants": 0.2, "registrations": 0.04, "kwh_saved": 0.76 / 3, "car_km_avoided": 0.76 / 3,
          "co2_kg_avoided": 0.76 / 3}  # fmt: skip
TOLERANCE = 1e-9
__all__ = ["BOUNDS", "MEASURES", "BudgetSpent", "BudgetState", "budget_state", "release"]  # BudgetSpent: for callers


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

    Negative contributions count as 0; a resident whose total over the release exceeds the bound has
    every contribution scaled by bound / total, so their whole contribution is at most the bound.
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
        *(func.sum(positive[name]).over(partition_by=per_period.c.user_id).label(f"{name}_total") for name in bounds),
    ).subquery()
    c = per_resident.c

    def clamped(name):
        bound = bounds[name]
        return func.sum(case((c[f"{name}_total"] > bound, c[name] * bound / c[f"{name}_total"]), else_=c[name]))

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
    tables, errors = [], {}
    for name in MEASURES:
        share = epsilon * SHARES[name]
        exact = {key: true[name].get(key, 0) for key in keys}
        if name in BOUNDS:
            noisy = privacy.release_sums(exact, share, bound=bounds[name])
            scale = privacy.sum_scale(share, bounds[name])
        else:
            sensitivity = len(keys) if name == "active_participants" else 1
            noisy = privacy.release_counts({k: int(v) for k, v in exact.items()}, share, sensitivity=sensitivity)
            scale = privacy.count_scale(share, sensitivity)
        values = [Value(float(noisy[key]), Status.NOISY) for key in keys]
        errors[name] = {"noise_scale": round(scale, 3), "relative_error": _relative_error(scale, list(noisy.values()))}
        total = Value(sum(v.value for v in values), Status.NOISY)  # post-processing: free of privacy cost
        tables.append(MeasureTable(name, {"city": values}, {"city": total}, values, total))
    noise = {
        "mechanism": "Laplace (discrete for counts), OpenDP", "epsilon": epsilon,
        "epsilon_per_measure": {n: epsilon * SHARES[n] for n in MEASURES},
        "composition": "basic sequential, per resident and calendar year", "accounting": "per resident",
        "budget_total": current_app.config["STATS_DP_TOTAL_EPSILON"], "budget_spent": most_spent,
        "dataset": f"residents:{at.year}", "clamping_bounds_per_resident_and_release": bounds,
        "errors": errors,
    }  # fmt: skip
    result = Release(
        title=f"Civiquest participation (open data) {filters.start.isoformat()} – {filters.end.isoformat()}",
        filters=filters.as_dict(), buckets=periods, measures=tables, residents_included=None,
        residents_excluded=None, min_residents=0, generated_at=at, noise=noise,
    )  # fmt: skip
    purpose = db.session.scalar(select(Purpose).where(Purpose.code == PURPOSE))
    if purpose is not None:
        use = record_use(actor, purpose, list(CATEGORIES), Level.CITY, {**filters.as_dict(), "open_data": True},
                         used, description="open-data release")  # fmt: skip
        result.export_id = use.id
    return result
