"""Participation statistics for staff: figures → protected release → data use log.

Nothing here returns a row about one person: figures are aggregated in the database, and every
published table goes through small-cell suppression before anyone sees it.
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from accounts.models import User
from app.columns import utcnow
from app.extensions import db
from sharing.models import Purpose
from sharing.uses import record_use
from stats import suppression
from stats.figures import MEASURES, Cell, Figures, Filters, compute
from stats.release import MeasureTable, Release, Status, Value

# Measures whose cells add up along both axes; the others get totals per period only.
DISTINCT_MEASURES = {"active_participants"}
CATEGORIES = ("energy_readings", "trips", "household_profile")


def min_residents() -> int:
    return current_app.config["STATS_MIN_RESIDENTS"]


def _value(result: suppression.Result, position, cell: Cell) -> Value:
    if position in result.reasons:
        return Value(None, Status.SUPPRESSED)
    return Value(cell.value)


def _protected_table(name: str, figures: Figures, k: int) -> MeasureTable:
    """One measure as places × periods with totals, suppressed so no small cell can be seen or derived."""
    places = list(figures.places.items())
    data = figures.tables.get(name, {})
    grid = [[_cell(data.get(place_id, {}).get(start)) for start in figures.buckets] for place_id, _name in places]
    if name in DISTINCT_MEASURES:
        return _per_period_table(name, places, grid, figures, k)
    result = suppression.suppress(grid, k)
    total = suppression.TOTAL
    return MeasureTable(
        name=name,
        rows={place_name: [_value(result, (i, j), c) for j, c in enumerate(row)]
              for i, ((_id, place_name), row) in enumerate(zip(places, grid, strict=True))},
        row_totals={place_name: _value(result, (i, total), result.table.cells[i, total])
                    for i, (_id, place_name) in enumerate(places)},
        column_totals=[_value(result, (total, j), result.table.cells[total, j]) for j in range(len(figures.buckets))],
        grand_total=_value(result, (total, total), result.table.cells[total, total]),
    )  # fmt: skip


def _per_period_table(name, places, grid, figures: Figures, k: int) -> MeasureTable:
    """A head count (a resident active in two weeks counts in both): totals per period only."""
    rows: dict[str, list[Value]] = {place_name: [] for _id, place_name in places}
    column_totals = []
    for j in range(len(figures.buckets)):
        column = [row[j] for row in grid]
        result = suppression.suppress_series(column, k)
        for i, (_id, place_name) in enumerate(places):
            rows[place_name].append(_value(result, i, column[i]))
        column_totals.append(_value(result, suppression.TOTAL, result.table.cells[suppression.TOTAL]))
    not_additive = Value(None, Status.SUPPRESSED)
    return MeasureTable(name, rows, {place_name: not_additive for place_name in rows}, column_totals, not_additive)


def _cell(cell: Cell | None) -> suppression.Cell:
    if cell is None or cell.residents == 0:
        return suppression.Cell(0.0, 0)
    return suppression.Cell(cell.value, cell.residents)


def _retention(figures: Figures, k: int) -> dict[str, Value]:
    shares = {}
    for place_id, place_name in figures.places.items():
        cell = figures.retention.get(place_id)
        if cell is None or cell.residents == 0:
            continue
        shares[place_name] = Value(cell.value) if cell.residents >= k else Value(None, Status.SUPPRESSED)
    return shares


def _consents(figures: Figures, k: int) -> list[tuple[str, str, Value]]:
    return [(purpose, level, Value(float(count)) if count >= k else Value(None, Status.SUPPRESSED))
            for (purpose, level), count in sorted(figures.consents.items())]  # fmt: skip


def build_release(filters: Filters, at: datetime | None = None, k: int | None = None) -> tuple[Release, Figures]:
    """Compute and protect the figures for `filters`; consent is judged at `at` (now by default)."""
    at = at or utcnow()
    k = k or min_residents()
    figures = compute(filters, at)
    release = Release(
        title=f"Civiquest participation {filters.start.isoformat()} – {filters.end.isoformat()}",
        filters=filters.as_dict(), buckets=figures.buckets,
        measures=[_protected_table(name, figures, k) for name in MEASURES],
        residents_included=len(figures.included), residents_excluded=figures.excluded, min_residents=k,
        generated_at=at, retention=_retention(figures, k), consents=_consents(figures, k),
    )  # fmt: skip
    return release, figures


def export(filters: Filters, actor: User, description: str, at: datetime | None = None) -> Release:
    """A staff export: the protected release, logged in the data use log with the residents it used."""
    release, figures = build_release(filters, at)
    purpose = db.session.scalar(select(Purpose).where(Purpose.code == "municipal_statistics"))
    if purpose is not None:
        use = record_use(actor, purpose, list(CATEGORIES), filters.level, filters.as_dict(), figures.included,
                         excluded_count=figures.excluded, description=description)  # fmt: skip
        release.export_id = use.id
    return release
