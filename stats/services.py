"""Participation statistics for staff: figures → protected release → data use log.

Nothing here returns a row about one person: figures are aggregated in the database, and every
published table goes through small-cell suppression and the cell key method (stats/cellkey.py)
before anyone sees it, so two answers cannot be subtracted to reveal a hidden value.
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from accounts.models import User
from app.columns import utcnow
from app.extensions import db
from sharing.models import Purpose
from sharing.uses import record_use
from stats import cellkey, suppression
from stats.figures import MEASURES, Cell, Figures, Filters, compute
from stats.release import MeasureTable, Release, Status, Value

# Measures whose cells add up along both axes; the others get totals per period only.
DISTINCT_MEASURES = {"active_participants"}
# Counts of residents get the count ptable; every other measure is a magnitude (one resident can add
# many units), and these magnitudes are counts of events, published as whole numbers.
RESIDENT_COUNTS = {"registrations", "active_participants"}
WHOLE_NUMBERS = {"submissions", "sustainable_trips", "joins", "points_earned", "points_redeemed"}


def min_residents() -> int:
    return current_app.config["STATS_MIN_RESIDENTS"]


HEAD_COUNT_BASE = 5


def protected_head_count(residents: int, k: int | None = None) -> int | None:
    """A use's head count as staff may see it in the history: None below the small-cell rule, else rounded to
    a multiple of HEAD_COUNT_BASE (rounding, as statistical offices publish counts), so that two entries of
    the history cannot be subtracted to find one resident."""
    k = k or min_residents()
    if residents == 0:
        return 0
    if residents < k:
        return None
    return max(HEAD_COUNT_BASE, HEAD_COUNT_BASE * round(residents / HEAD_COUNT_BASE))


def perturbed(name: str, cell: Cell) -> Value:
    """A cell's published value under the cell key method; a true zero (nobody in it) stays 0."""
    if cell.residents == 0:
        return Value(0.0)
    if name in RESIDENT_COUNTS:
        return Value(float(cellkey.perturb_count(cell.value, cell.key, name)), Status.PERTURBED)
    ndigits = None if name in WHOLE_NUMBERS else 1
    return Value(float(cellkey.perturb_magnitude(cell.value, cell.key, name, cell.largest, ndigits)), Status.PERTURBED)


def _combined(cells: list[Cell], largest) -> Cell:
    """A total as a cell of its own: members' values and keys added, the largest contribution bounded by `largest`."""
    return Cell(
        value=sum(c.value for c in cells),
        residents=max((c.residents for c in cells), default=0),
        key=cellkey.cell_key(*(c.key for c in cells)),
        largest=largest(c.largest for c in cells) if cells else 0.0,
    )


def _published(name: str, result: suppression.Result, position, cell: Cell) -> Value:
    if position in result.reasons:
        return Value(None, Status.SUPPRESSED)
    return perturbed(name, cell)


def _protected_table(name: str, figures: Figures, k: int) -> MeasureTable:
    """One measure as places × periods with totals: small cells suppressed, every other cell perturbed.

    A row total's largest single contribution is at most the sum of its cells' largest (one resident in
    several periods); a column's is the largest of its cells' (a resident is in one place per period).
    """
    places = list(figures.places.items())
    data = figures.tables.get(name, {})
    grid = [[data.get(place_id, {}).get(start) or Cell() for start in figures.buckets] for place_id, _ in places]
    if name in DISTINCT_MEASURES:
        return _per_period_table(name, places, grid, figures, k)
    result = suppression.suppress([[_suppression_cell(c) for c in row] for row in grid], k)
    total = suppression.TOTAL
    row_totals = [_combined(row, sum) for row in grid]
    columns = [_combined([row[j] for row in grid], max) for j in range(len(figures.buckets))]
    grand = Cell(sum(c.value for c in columns), 0, cellkey.cell_key(*(c.key for c in columns)),
                 sum(c.largest for c in columns))  # fmt: skip
    grand.residents = result.table.cells[total, total].residents
    return MeasureTable(
        name=name,
        rows={place_name: [_published(name, result, (i, j), c) for j, c in enumerate(row)]
              for i, ((_id, place_name), row) in enumerate(zip(places, grid, strict=True))},
        row_totals={place_name: _published(name, result, (i, total), row_totals[i])
                    for i, (_id, place_name) in enumerate(places)},
        column_totals=[_published(name, result, (total, j), columns[j]) for j in range(len(figures.buckets))],
        grand_total=_published(name, result, (total, total), grand),
    )  # fmt: skip


def _per_period_table(name, places, grid, figures: Figures, k: int) -> MeasureTable:
    """A head count (a resident active in two weeks counts in both): totals per period only."""
    rows: dict[str, list[Value]] = {place_name: [] for _id, place_name in places}
    column_totals = []
    for j in range(len(figures.buckets)):
        column = [row[j] for row in grid]
        result = suppression.suppress_series([_suppression_cell(c) for c in column], k)
        for i, (_id, place_name) in enumerate(places):
            rows[place_name].append(_published(name, result, i, column[i]))
        column_total = _combined(column, max)
        column_total.residents = result.table.cells[suppression.TOTAL].residents
        column_totals.append(_published(name, result, suppression.TOTAL, column_total))
    not_additive = Value(None, Status.SUPPRESSED)
    return MeasureTable(name, rows, {place_name: not_additive for place_name in rows}, column_totals, not_additive)


def _suppression_cell(cell: Cell) -> suppression.Cell:
    if cell.residents == 0:
        return suppression.Cell(0.0, 0)
    return suppression.Cell(cell.value, cell.residents)


def _retention(figures: Figures, k: int) -> dict[str, Value]:
    """Per place, the share of joiners still active after 4 weeks, from the perturbed numerator and denominator."""
    shares = {}
    for place_id, place_name in figures.places.items():
        joined, kept = figures.retention.get(place_id, (Cell(), Cell()))
        if joined.residents == 0:
            continue
        if joined.residents < k:
            shares[place_name] = Value(None, Status.SUPPRESSED)
            continue
        denominator = perturbed("retention_joined", joined).value
        numerator = perturbed("retention_kept", kept).value
        share = min(numerator / denominator, 1.0) if denominator else 0.0
        shares[place_name] = Value(round(share, 3), Status.PERTURBED)
    return shares


def _consents(figures: Figures, k: int) -> list[tuple[str, str, Value]]:
    return [(purpose, level, perturbed("consents", cell) if cell.residents >= k else Value(None, Status.SUPPRESSED))
            for (purpose, level), cell in sorted(figures.consents.items())]  # fmt: skip


def _included(figures: Figures, k: int) -> int | None:
    """How many residents the release rests on, perturbed as a count with all of their keys; None below k."""
    included = figures.included
    if not included:
        return 0
    if len(included) < k:
        return None
    keys = db.session.execute(select(User.id, User.record_key).where(User.record_key.is_not(None)))
    key = cellkey.cell_key(*(record_key for user_id, record_key in keys if user_id in included))
    return int(perturbed("residents_included", Cell(len(included), len(included), key, 1.0)).value)


def _without_consent(figures: Figures, k: int) -> int | None:
    """Residents without consent, from the consent records, perturbed; None below k."""
    cell = figures.without_consent
    if cell.residents < k:
        return None
    return int(perturbed("residents_without_consent", cell).value)


def build_release(filters: Filters, at: datetime | None = None, k: int | None = None) -> tuple[Release, Figures]:
    """Compute and protect the figures for `filters`; consent is judged at `at` (now by default).

    Every resident gets a record key first (those created in bulk have none yet), so that each
    published cell is perturbed with the cell key method.
    """
    at = at or utcnow()
    k = k or min_residents()
    cellkey.ensure_record_keys()
    figures = compute(filters, at)
    release = Release(
        title=f"Civiquest participation {filters.start.isoformat()} – {filters.end.isoformat()}",
        filters=filters.as_dict(), buckets=figures.buckets,
        measures=[_protected_table(name, figures, k) for name in MEASURES],
        residents_included=_included(figures, k),
        residents_excluded=_without_consent(figures, k), min_residents=k,
        generated_at=at, retention=_retention(figures, k), consents=_consents(figures, k),
        perturbation=cellkey.parameters(),
    )  # fmt: skip
    return release, figures


def export(
    filters: Filters, actor: User | None, description: str, at: datetime | None = None, actor_label: str | None = None
) -> Release:
    """A staff export (or an organisation client's, named by `actor_label`): the protected release, logged with
    every resident any of its figures rests on."""
    release, figures = build_release(filters, at)
    purpose = db.session.scalar(select(Purpose).where(Purpose.code == "municipal_statistics"))
    if purpose is not None:
        used = [code for code, residents in figures.by_category().items() if residents]
        use = record_use(actor, purpose, used, filters.level, filters.as_dict(), figures.included,
                         excluded_count=release.residents_excluded or 0, description=description,
                         actor_label=actor_label)  # fmt: skip
        release.export_id = use.id
    return release
