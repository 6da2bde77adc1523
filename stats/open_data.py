"""Open-data releases: city-wide figures with differential-privacy noise, within a privacy budget.

Which figures, and why their sensitivity is what it is:
- active participants per period: a resident counts at most once per period, so over B periods
  the release moves by at most B when one resident is added or removed;
- registrations per period: a resident registers once, sensitivity 1;
- kWh saved, car-km avoided and CO₂ avoided per period: each resident's contribution to a period
  is clipped to a bound in SQL before summing, so over B periods the sensitivity is B × bound.
A release's epsilon is split evenly between these five; each dataset (granularity and period) has
its own budget, and a release that would exceed it is refused before any noise is drawn.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import case, distinct, func, select, update

from accounts.models import Role, User
from app.columns import utcnow
from app.extensions import db
from app.upserts import insert_if_missing
from challenges.models import Submission
from sharing.models import Level, Purpose
from sharing.uses import record_use
from stats import privacy
from stats.figures import PURPOSE, Aggregator, Filters, _activity_columns
from stats.models import PrivacyBudget
from stats.periods import bucket, bucket_date, buckets, local_date
from stats.release import MeasureTable, Release, Status, Value
from stats.services import CATEGORIES

# Per resident and period, what one resident can add to a sum at most.
BOUNDS = {"kwh_saved": 50.0, "car_km_avoided": 300.0, "co2_kg_avoided": 60.0}
MEASURES = ("active_participants", "registrations", "kwh_saved", "car_km_avoided", "co2_kg_avoided")


class BudgetSpent(Exception):
    """This dataset's privacy budget has no room for another release."""

    def __init__(self, budget: PrivacyBudget):
        self.budget = budget
        super().__init__(f"privacy budget of {budget.dataset} spent: {budget.spent_epsilon} of {budget.total_epsilon}")


@dataclass(frozen=True)
class BudgetState:
    dataset: str
    total: float
    spent: float
    releases: int


def dataset_key(filters: Filters) -> str:
    return f"participation:{filters.granularity.value}:{filters.start.isoformat()}:{filters.end.isoformat()}"


def _charge(dataset: str, epsilon: float) -> PrivacyBudget:
    """Spend epsilon on a dataset under a row lock, or raise BudgetSpent and spend nothing."""
    total = current_app.config["STATS_DP_TOTAL_EPSILON"]
    insert_if_missing(PrivacyBudget.__table__, dataset=dataset, total_epsilon=total, spent_epsilon=0.0, releases=0,
                      updated_at=utcnow())  # fmt: skip
    charged = db.session.execute(
        update(PrivacyBudget)
        .where(
            PrivacyBudget.dataset == dataset,
            PrivacyBudget.spent_epsilon + epsilon <= PrivacyBudget.total_epsilon + 1e-9,
        )
        .values(
            spent_epsilon=PrivacyBudget.spent_epsilon + epsilon,
            releases=PrivacyBudget.releases + 1,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    budget = db.session.get(PrivacyBudget, dataset)
    db.session.refresh(budget)
    if not charged:
        raise BudgetSpent(budget)
    return budget


def budget_state(filters: Filters) -> BudgetState:
    """How much of a dataset's budget is spent (nothing yet for a new dataset)."""
    key = dataset_key(filters)
    budget = db.session.get(PrivacyBudget, key)
    total = current_app.config["STATS_DP_TOTAL_EPSILON"]
    return BudgetState(key, budget.total_epsilon if budget else total, budget.spent_epsilon if budget else 0.0,
                       budget.releases if budget else 0)  # fmt: skip


def _true_values(aggregator: Aggregator) -> dict[str, dict[str, float]]:
    """Per measure and period (ISO date), the exact city-wide figure with contributions clipped."""
    filters = aggregator.filters
    window, consented = aggregator._activity_base()
    columns = _activity_columns()
    time_bucket = bucket(Submission.day, filters.granularity, aggregator.dialect).label("bucket")
    per_resident = (
        select(
            time_bucket.label("bucket"), Submission.user_id.label("user_id"),
            func.sum(columns["kwh_saved"]).label("kwh_saved"),
            func.sum(columns["car_km_avoided"]).label("car_km_avoided"),
            func.sum(columns["co2_kg_avoided"]).label("co2_kg_avoided"),
        )
        .where(*window, consented)
        .group_by(time_bucket, Submission.user_id)
        .subquery()
    )  # fmt: skip

    def clipped(name):
        value = func.coalesce(per_resident.c[name], 0.0)
        return func.sum(case((value > BOUNDS[name], BOUNDS[name]), (value < 0, 0.0), else_=value))

    query = select(per_resident.c.bucket, func.count(distinct(per_resident.c.user_id)),
                   *(clipped(name) for name in BOUNDS)).group_by(per_resident.c.bucket)  # fmt: skip
    values: dict[str, dict[str, float]] = {name: {} for name in MEASURES}
    for row in db.session.execute(query):
        start = bucket_date(row[0]).isoformat()
        values["active_participants"][start] = int(row[1])
        for index, name in enumerate(BOUNDS):
            values[name][start] = float(row[2 + index] or 0.0)
    day = local_date(User.created_at, aggregator.dialect, aggregator.zone)
    registrations_bucket = bucket(day, filters.granularity, aggregator.dialect)
    registered = (
        select(registrations_bucket, func.count())
        .where(User.role == Role.RESIDENT, User.created_at >= aggregator.begin, User.created_at < aggregator.finish)
        .where(User.id.in_(aggregator.allowed("household_profile")))
        .group_by(registrations_bucket)
    )
    values["registrations"] = {
        bucket_date(start).isoformat(): int(count) for start, count in db.session.execute(registered)
    }
    return values


def release(filters: Filters, actor: User | None, at: datetime | None = None) -> Release:
    """A city-level release with noise, logged as a data use; charges the dataset's budget first.

    Raises BudgetSpent, before reading any data, when the dataset's budget has no room left.
    """
    at = at or utcnow()
    filters = Filters(filters.start, filters.end, filters.granularity, Level.CITY, filters.challenge_ids,
                      filters.category, ())  # fmt: skip
    epsilon = current_app.config["STATS_DP_EPSILON"]
    budget = _charge(dataset_key(filters), epsilon)
    periods = buckets(filters.start, filters.end, filters.granularity)
    keys = [start.isoformat() for start in periods]
    aggregator = Aggregator(filters, at)
    true = _true_values(aggregator)
    included, excluded = set().union(*aggregator.contributors().values()), aggregator.without_consent()
    share = epsilon / len(MEASURES)
    tables = []
    for name in MEASURES:
        exact = {key: true[name].get(key, 0) for key in keys}
        if name in BOUNDS:
            noisy = privacy.release_sums(exact, share, bound=BOUNDS[name] * len(keys))
        else:
            sensitivity = len(keys) if name == "active_participants" else 1
            noisy = privacy.release_counts({k: int(v) for k, v in exact.items()}, share, sensitivity=sensitivity)
        values = [Value(float(noisy[key]), Status.NOISY) for key in keys]
        total = Value(sum(v.value for v in values), Status.NOISY)  # post-processing: free of privacy cost
        tables.append(MeasureTable(name, {"city": values}, {"city": total}, values, total))
    noise = {
        "mechanism": "Laplace (discrete for counts), OpenDP", "epsilon": epsilon, "epsilon_per_measure": share,
        "composition": "basic sequential", "budget_total": budget.total_epsilon, "budget_spent": budget.spent_epsilon,
        "dataset": budget.dataset, "clipping_bounds_per_resident_and_period": BOUNDS,
    }  # fmt: skip
    result = Release(
        title=f"Civiquest participation (open data) {filters.start.isoformat()} – {filters.end.isoformat()}",
        filters=filters.as_dict(), buckets=periods, measures=tables, residents_included=len(included),
        residents_excluded=excluded, min_residents=0, generated_at=at, noise=noise,
    )  # fmt: skip
    purpose = db.session.scalar(select(Purpose).where(Purpose.code == PURPOSE))
    if purpose is not None:
        use = record_use(actor, purpose, list(CATEGORIES), Level.CITY, {**filters.as_dict(), "open_data": True},
                         included, excluded_count=excluded, description="open-data release")  # fmt: skip
        result.export_id = use.id
    return result
