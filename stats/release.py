"""What an export publishes: each measure as a table with totals, every value either shown or withheld.

Built from the figures by the statistics service after suppression (and, in open-data mode, noise);
the renderers in `exports.py` only write it out.
"""

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

# Plain-language definitions, shown on the dashboard and written into every export.
DEFINITIONS = {
    "registrations": _l("Residents who registered in the period, by their neighbourhood."),
    "active_participants": _l("Residents with at least one counted reading or trip in the period."),
    "joins": _l("Times residents joined a challenge."),
    "submissions": _l("Counted meter readings and trips (rejected ones and those waiting for review are left out)."),
    "kwh_saved": _l("Electricity saved against each household's baseline, in kWh."),
    "car_km_avoided": _l("Kilometres travelled on foot, by bike, bus, train or shared car instead of by car."),
    "sustainable_trips": _l("Trips on foot, by bike, by bus or train, or in a shared car."),
    "co2_kg_avoided": _l(
        "CO₂ avoided in kg: saved electricity and avoided car kilometres times the UBA emission factors."
    ),
    "points_earned": _l("Points residents earned (less points taken back after reviews)."),
    "points_redeemed": _l("Points residents spent on rewards, less refunds."),
}

MEASURE_LABELS = {
    "registrations": _l("Registered residents"),
    "active_participants": _l("Active participants"),
    "joins": _l("Joins"),
    "submissions": _l("Submissions"),
    "kwh_saved": _l("kWh saved"),
    "car_km_avoided": _l("Car-km avoided"),
    "sustainable_trips": _l("Sustainable trips"),
    "co2_kg_avoided": _l("CO₂ avoided (kg)"),
    "points_earned": _l("Points earned"),
    "points_redeemed": _l("Points redeemed"),
}


class Status(enum.StrEnum):
    SHOWN = "shown"
    SUPPRESSED = "suppressed"  # rests on too few residents, or would reveal such a value
    NOISY = "noisy"  # differential-privacy noise added
    PERTURBED = "perturbed"  # cell-key noise added (stats.cellkey): the same residents, the same noise


@dataclass(frozen=True)
class Value:
    value: float | None  # None when suppressed
    status: Status = Status.SHOWN


@dataclass
class MeasureTable:
    name: str
    rows: dict[str, list[Value]]  # place name → one value per bucket
    row_totals: dict[str, Value]
    column_totals: list[Value]
    grand_total: Value


@dataclass
class Release:
    """One export's content and its facts: filters, who was counted, what protection was applied."""

    title: str
    filters: dict
    buckets: list[date]
    measures: list[MeasureTable]
    residents_included: int | None  # perturbed; None below the small-cell rule
    residents_excluded: int | None  # without consent, from the consent records; None below the small-cell rule
    min_residents: int  # k of the small-cell rule
    generated_at: datetime
    noise: dict | None = None  # {"mechanism", "epsilon", "budget_total", "budget_spent"} in open-data mode
    perturbation: dict | None = None  # the cell key method's parameters (stats.cellkey.parameters)
    retention: dict[str, Value] = field(default_factory=dict)  # place → share still active after 4 weeks
    consents: list[tuple[str, str, Value]] = field(default_factory=list)  # (purpose, level, count)
    export_id: int | None = None

    @property
    def suppressed_count(self) -> int:
        cells = 0
        for table in self.measures:
            values = [v for row in table.rows.values() for v in row]
            values += list(table.row_totals.values()) + table.column_totals + [table.grand_total]
            cells += sum(value.status == Status.SUPPRESSED for value in values)
        return cells
