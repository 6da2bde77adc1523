"""Small-cell suppression for published tables, as statistics offices do it.

A table is rows × columns of cells plus the row totals, column totals and grand total, all of
which are published. Each cell carries its value (a count or a sum) and the number of distinct
residents it rests on.

* Primary suppression: a cell — totals included — resting on fewer than `k` residents is hidden.
  A true zero (no residents, value 0) is not sensitive: it says nothing about anybody, and
  hiding it would protect nothing either, because empty cells are usually known beforehand
  (a week after a challenge closed, a neighbourhood without participants). True zeros are
  therefore always published and never chosen as complementary cells.
* Secondary suppression: every total is treated as a cell of its own, so the table becomes an
  (R+1) × (C+1) grid in which every row and every column is one additive equation ("line":
  the members sum to the line's total). A greedy heuristic hides one more cell in any line that
  holds exactly one hidden cell — inner cells before totals, then cells that open no new
  offending line, then the smallest value, then the fewest residents. Then `disclosed_cells`
  solves the published equations exactly (rational elimination); while any hidden value is
  still determined, one more cell next to it (or, failing that, next to any hidden cell) is
  hidden and the heuristic runs again. Hiding every non-zero cell is always safe, so this ends.

Only exact disclosure is prevented. Interval disclosure (bounds from non-negativity, e.g. a
hidden pair adding up to a small published total) and a contributor subtracting their own
share from a hidden cell are not modelled.

Positions are `(row, col)` with `row` in `range(R)` or `TOTAL` and likewise `col`;
a one-dimensional series (`suppress_series`) uses `j` or `TOTAL`.
"""

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

TOTAL = "total"
PRIMARY, SECONDARY = "primary", "secondary"
Position = Hashable


@dataclass(frozen=True)
class Cell:
    """One published figure and the number of distinct residents behind it."""

    value: float
    residents: int

    def __post_init__(self):
        if self.residents < 0:
            raise ValueError("residents must not be negative")
        if self.residents == 0 and self.value != 0:
            raise ValueError("a cell without residents must have the value 0")

    @property
    def true_zero(self) -> bool:
        return self.residents == 0


@dataclass(frozen=True)
class Line:
    """An additive equation of the table: the members sum to the total."""

    members: tuple[Position, ...]
    total: Position

    @property
    def positions(self) -> tuple[Position, ...]:
        return (*self.members, self.total)


@dataclass(frozen=True)
class Table:
    """Every published cell by position (totals included) and the lines tying them together."""

    cells: dict[Position, Cell]
    lines: tuple[Line, ...]
    shape: tuple[int, ...]  # (rows, cols), or (length,) for a series


@dataclass(frozen=True)
class Result:
    """The suppressed positions of a table, each with its reason ("primary" or "secondary")."""

    table: Table
    k: int
    reasons: dict[Position, str]

    @property
    def suppressed(self) -> frozenset[Position]:
        return frozenset(self.reasons)


def table(
    rows: Sequence[Sequence[Cell]],
    row_totals: Sequence[Cell] | None = None,
    col_totals: Sequence[Cell] | None = None,
    grand_total: Cell | None = None,
) -> Table:
    """A two-dimensional table; missing totals are summed, their residents taken as the largest
    member's — a lower bound on distinct residents, so pass the real counts where known."""
    if not rows or not rows[0] or any(len(row) != len(rows[0]) for row in rows):
        raise ValueError("rows must be a non-empty rectangle")
    n_rows, n_cols = len(rows), len(rows[0])
    row_totals = list(row_totals) if row_totals is not None else [_margin(row) for row in rows]
    col_totals = list(col_totals) if col_totals is not None else [_margin(col) for col in zip(*rows, strict=True)]
    if len(row_totals) != n_rows or len(col_totals) != n_cols:
        raise ValueError("one total per row and per column is needed")
    if grand_total is None:
        grand_total = Cell(sum(c.value for c in row_totals), max(c.residents for c in row_totals + col_totals))
    cells: dict[Position, Cell] = {}
    for i, row in enumerate(rows):
        cells.update({(i, j): cell for j, cell in enumerate(row)})
        cells[i, TOTAL] = row_totals[i]
    cells.update({(TOTAL, j): cell for j, cell in enumerate(col_totals)})
    cells[TOTAL, TOTAL] = grand_total
    indices = [*range(n_rows), TOTAL]
    lines = [Line(tuple((i, j) for j in range(n_cols)), (i, TOTAL)) for i in indices]
    lines += [Line(tuple((i, j) for i in range(n_rows)), (TOTAL, j)) for j in [*range(n_cols), TOTAL]]
    return _checked(Table(cells, tuple(lines), (n_rows, n_cols)))


def series(cells: Sequence[Cell], total: Cell | None = None) -> Table:
    """A one-dimensional table: a list of cells and their total."""
    if not cells:
        raise ValueError("a series needs at least one cell")
    by_position: dict[Position, Cell] = dict(enumerate(cells))
    by_position[TOTAL] = total if total is not None else _margin(cells)
    return _checked(Table(by_position, (Line(tuple(range(len(cells))), TOTAL),), (len(cells),)))


def suppress(
    rows: Sequence[Sequence[Cell]],
    k: int = 5,
    *,
    row_totals: Sequence[Cell] | None = None,
    col_totals: Sequence[Cell] | None = None,
    grand_total: Cell | None = None,
) -> Result:
    """Primary and secondary suppression of a two-dimensional table with its totals."""
    return protect(table(rows, row_totals, col_totals, grand_total), k)


def suppress_series(cells: Sequence[Cell], k: int = 5, *, total: Cell | None = None) -> Result:
    """Primary and secondary suppression of a one-dimensional series with its total."""
    return protect(series(cells, total), k)


def protect(tab: Table, k: int = 5) -> Result:
    """Hide the cells resting on fewer than `k` residents, then enough others that none is disclosed."""
    if k < 1:
        raise ValueError("k must be at least 1")
    reasons = {p: PRIMARY for p, cell in tab.cells.items() if not cell.true_zero and cell.residents < k}
    while True:
        _complete_lines(tab, reasons)
        leaks = disclosed_cells(tab, reasons)
        if not leaks:
            return Result(tab, k, reasons)
        leak = min(leaks, key=list(tab.cells).index)
        # Next to the leak if possible; else anywhere near a hidden cell, to reach round the table.
        lines = [line for line in tab.lines if leak in line.positions]
        if not _candidates(tab, reasons, lines):
            lines = [line for line in tab.lines if any(p in reasons for p in line.positions)]
        reasons[_best_candidate(tab, reasons, lines)] = SECONDARY


def disclosed_cells(tab: Table, suppressed: Iterable[Position]) -> set[Position]:
    """The suppressed positions whose values follow exactly from the published cells and totals."""
    hidden = set(suppressed)
    unknowns = [p for p in tab.cells if p in hidden]
    column = {p: n for n, p in enumerate(unknowns)}
    equations = []
    for line in tab.lines:
        equation = {column[p]: Fraction(1) for p in line.members if p in column}
        if line.total in column:
            equation[column[line.total]] = Fraction(-1)
        if equation:
            equations.append(equation)
    return {unknowns[pivot] for pivot, row in _reduced(equations) if len(row) == 1}


def apply(result: Result) -> dict:
    """The published values, None where suppressed, in the shape of the input."""
    tab = result.table

    def value(position: Position) -> float | None:
        return None if position in result.reasons else tab.cells[position].value

    if len(tab.shape) == 1:
        return {"cells": [value(j) for j in range(tab.shape[0])], "total": value(TOTAL)}
    n_rows, n_cols = tab.shape
    return {
        "cells": [[value((i, j)) for j in range(n_cols)] for i in range(n_rows)],
        "row_totals": [value((i, TOTAL)) for i in range(n_rows)],
        "col_totals": [value((TOTAL, j)) for j in range(n_cols)],
        "grand_total": value((TOTAL, TOTAL)),
    }


def _margin(cells: Iterable[Cell]) -> Cell:
    cells = list(cells)
    return Cell(sum(c.value for c in cells), max(c.residents for c in cells))


def _checked(tab: Table) -> Table:
    # Distinct residents of a total lie between its largest member's and the members' sum.
    for line in tab.lines:
        members = [tab.cells[p].residents for p in line.members]
        if not max(members) <= tab.cells[line.total].residents <= sum(members):
            raise ValueError(f"residents of total {line.total!r} do not fit its members")
    return tab


def _complete_lines(tab: Table, reasons: dict[Position, str]) -> None:
    """Greedy step: hide one more cell in every line holding exactly one hidden cell, until stable."""
    changed = True
    while changed:
        changed = False
        for line in tab.lines:
            if sum(p in reasons for p in line.positions) == 1:
                reasons[_best_candidate(tab, reasons, [line])] = SECONDARY
                changed = True


def _candidates(tab: Table, reasons: dict[Position, str], lines: list[Line]) -> list[Position]:
    return [p for line in lines for p in line.positions if p not in reasons and not tab.cells[p].true_zero]


def _best_candidate(tab: Table, reasons: dict[Position, str], lines: list[Line]) -> Position:
    totals = {line.total for line in tab.lines}
    order = {p: n for n, p in enumerate(tab.cells)}
    candidates = _candidates(tab, reasons, lines)
    if not candidates:  # unreachable for checked tables: a hidden non-zero has a non-zero neighbour
        raise RuntimeError("no cell left to suppress")

    def opened(p: Position) -> int:
        # Lines without a hidden cell that hiding p would turn into offending ones: each costs more cells.
        return sum(1 for line in tab.lines if p in line.positions and not any(q in reasons for q in line.positions))

    return min(
        candidates, key=lambda p: (p in totals, opened(p), abs(tab.cells[p].value), tab.cells[p].residents, order[p])
    )


def _reduced(equations: list[dict[int, Fraction]]) -> list[tuple[int, dict[int, Fraction]]]:
    """Reduced row echelon form of sparse rows: (pivot, row) with 1 at the pivot, 0 at other pivots."""
    reduced: list[tuple[int, dict[int, Fraction]]] = []
    for equation in equations:
        row = dict(equation)
        for pivot, other in reduced:
            if row.get(pivot):
                _add_multiple(row, -row[pivot], other)
        if not row:
            continue
        pivot = min(row)
        row = {col: coefficient / row[pivot] for col, coefficient in row.items()}
        for _, other in reduced:
            if other.get(pivot):
                _add_multiple(other, -other[pivot], row)
        reduced.append((pivot, row))
    return reduced


def _add_multiple(target: dict[int, Fraction], factor: Fraction, source: dict[int, Fraction]) -> None:
    for col, coefficient in source.items():
        updated = target.get(col, 0) + factor * coefficient
        if updated:
            target[col] = updated
        else:
            target.pop(col, None)
