"""Small-cell suppression: cases built to leak, and random tables checked by exact algebra."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stats.suppression import (
    PRIMARY,
    SECONDARY,
    TOTAL,
    Cell,
    apply,
    disclosed_cells,
    series,
    suppress,
    suppress_series,
    table,
)


def counts(*rows: list[int]) -> list[list[Cell]]:
    """A table of resident counts: every value is its own number of residents."""
    return [[Cell(v, v) for v in row] for row in rows]


def sensitive(tab, k=5) -> set:
    return {p for p, cell in tab.cells.items() if 0 < cell.residents < k}


def bridges(tab, hidden) -> set:
    """Hidden cells that are bridges of the row–column graph: the textbook test for exact disclosure."""
    edges = set(hidden)

    def connected(start, goal, without):
        seen, todo = {start}, [start]
        while todo:
            kind, index = todo.pop()
            for row, col in edges - {without}:
                here, there = (row, ("c", col)) if kind == "r" else (col, ("r", row))
                if here == index and there not in seen:
                    seen.add(there)
                    todo.append(there)
        return goal in seen

    return {(row, col) for row, col in edges if not connected(("r", row), ("c", col), (row, col))}


def assert_safe(result, k=5):
    """Nothing sensitive is published, no hidden value can be solved for, no true zero is hidden."""
    tab = result.table
    assert sensitive(tab, k) <= result.suppressed
    assert disclosed_cells(tab, result.suppressed) == set()
    assert not any(tab.cells[p].true_zero for p in result.suppressed)
    assert {p for p, reason in result.reasons.items() if reason == PRIMARY} == sensitive(tab, k)


def test_single_small_cell_in_a_row_gets_complements_and_totals_stay():
    """One small cell alone would follow from its row total; complements close a rectangle."""
    rows = counts([10, 3, 12], [8, 9, 7], [20, 6, 11])
    assert disclosed_cells(table(rows), {(0, 1)}) == {(0, 1)}
    result = suppress(rows)
    assert_safe(result)
    assert result.reasons[0, 1] == PRIMARY
    assert len(result.suppressed) == 4
    assert all(TOTAL not in p for p in result.suppressed)


def test_two_small_cells_in_a_row_are_not_safe_against_column_totals():
    """Two hidden cells satisfy their row, but each column total would still give them away."""
    rows = counts([3, 2, 10, 12], [9, 14, 8, 7], [11, 6, 15, 9])
    assert disclosed_cells(table(rows), {(0, 0), (0, 1)}) == {(0, 0), (0, 1)}
    result = suppress(rows)
    assert_safe(result)
    assert any(row != 0 for row, _ in result.suppressed)


def test_small_row_total_is_hidden_and_protected_in_the_totals_column():
    """A row total resting on three residents is primary; other totals must cover it."""
    rows = [[Cell(4, 2), Cell(5, 2)], [Cell(30, 12), Cell(20, 9)], [Cell(25, 10), Cell(40, 14)]]
    row_totals = [Cell(9, 3), Cell(50, 15), Cell(65, 20)]
    result = suppress(rows, row_totals=row_totals)
    assert_safe(result)
    assert result.reasons[0, TOTAL] == PRIMARY
    totals_column = [(i, TOTAL) for i in range(3)] + [(TOTAL, TOTAL)]
    assert len(result.suppressed & set(totals_column)) >= 2


def test_total_worked_out_from_grand_total_is_protected():
    """Hiding a small row total alone fails: grand total minus the other row totals gives it."""
    rows = counts([10, 12], [9, 14], [2, 2])
    tab = table(rows, row_totals=[Cell(22, 22), Cell(23, 23), Cell(4, 3)])
    assert (2, TOTAL) in disclosed_cells(tab, {(2, 0), (2, 1), (2, TOTAL)})
    result = suppress(rows, row_totals=[Cell(22, 22), Cell(23, 23), Cell(4, 3)])
    assert_safe(result)


def test_one_row_table_hides_the_matching_column_total():
    """With one row each column total repeats its cell, so it must go with the cell."""
    result = suppress(counts([3, 10, 12]))
    assert_safe(result)
    published = apply(result)
    assert published["cells"][0][0] is None
    assert published["col_totals"][0] is None


def test_true_zero_is_never_a_complement_even_when_smallest():
    """A zero is often known beforehand, so hiding it would protect nothing."""
    result = suppress(counts([3, 0, 20], [10, 12, 15]))
    assert_safe(result)
    assert (0, 1) not in result.suppressed


def test_only_zero_beside_a_small_cell_forces_other_complements():
    """The row offers nothing but a zero; the column and the totals must do the work."""
    rows = [[Cell(4.5, 3), Cell(0, 0)], [Cell(10, 10), Cell(12, 12)], [Cell(8, 8), Cell(9, 9)]]
    result = suppress(rows)
    assert_safe(result)
    assert (0, 1) not in result.suppressed
    assert result.reasons[0, TOTAL] == PRIMARY


def test_every_line_with_two_hidden_cells_can_still_leak():
    """Two hidden rectangles joined by one cell: each line holds two, yet the link is solvable."""
    tab = table(counts(*[[10 + i + j for j in range(4)] for i in range(4)]))
    blocks = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3)}
    assert disclosed_cells(tab, blocks) == set()
    assert disclosed_cells(tab, blocks | {(1, 2)}) == {(1, 2)}


def test_leak_left_by_the_heuristic_is_repaired():
    """Here the greedy pass alone leaves a cell solvable; the verification hides more."""
    result = suppress(counts([0, 1, 0], [5, 0, 5], [0, 6, 1]))
    assert_safe(result)
    assert bridges(result.table, result.suppressed) == set()


def test_k_is_configurable_and_must_be_positive():
    """A larger k hides more; k below 1 makes no sense."""
    rows = counts([10, 3, 12], [8, 9, 7], [20, 6, 11])
    assert sensitive(table(rows), 10) <= suppress(rows, k=10).suppressed
    assert len(suppress(rows, k=10).suppressed) > len(suppress(rows).suppressed)
    with pytest.raises(ValueError):
        suppress(rows, k=0)


def test_inconsistent_input_is_refused():
    """A value without residents, ragged rows or totals with impossible resident counts."""
    with pytest.raises(ValueError):
        Cell(5, 0)
    with pytest.raises(ValueError):
        suppress(counts([1, 2], [3]))
    with pytest.raises(ValueError):
        suppress(counts([10, 12]), row_totals=[Cell(22, 30)])


def test_apply_keeps_the_shape_and_marks_hidden_cells_none():
    """Exports get the same shape back, with None where a value is suppressed."""
    result = suppress(counts([10, 3, 12], [8, 9, 7]))
    published = apply(result)
    assert [len(row) for row in published["cells"]] == [3, 3]
    assert len(published["row_totals"]) == 2 and len(published["col_totals"]) == 3
    assert published["grand_total"] == 49
    assert {result.reasons[p] for p in result.suppressed} <= {PRIMARY, SECONDARY}


def test_series_single_small_cell_takes_the_smallest_other():
    """In a list with its total, one hidden cell needs a partner."""
    result = suppress_series([Cell(3, 3), Cell(12, 12), Cell(10, 10)])
    assert result.reasons == {0: PRIMARY, 2: SECONDARY}
    assert apply(result) == {"cells": [None, 12, None], "total": 25}


def test_series_small_total_and_lone_cell():
    """A small total means small members, all hidden; a lone non-zero cell takes its total along."""
    result = suppress_series([Cell(2, 2), Cell(3, 3)], total=Cell(5, 4))
    assert result.reasons == {0: PRIMARY, 1: PRIMARY, TOTAL: PRIMARY}
    result = suppress_series([Cell(3, 3), Cell(0, 0), Cell(0, 0)])
    assert result.suppressed == {0, TOTAL}
    assert disclosed_cells(series([Cell(3, 3), Cell(20, 20)]), {0}) == {0}


@st.composite
def random_tables(draw):
    """Tables of sums with plausible distinct-resident counts on every total."""
    n_rows, n_cols = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    row = st.lists(st.integers(0, 12), min_size=n_cols, max_size=n_cols)
    residents = draw(st.lists(row, min_size=n_rows, max_size=n_rows))
    rows = [[Cell(r * draw(st.integers(1, 3)), r) for r in row] for row in residents]

    def total(members):
        counts = [c.residents for c in members]
        return Cell(sum(c.value for c in members), draw(st.integers(max(counts), sum(counts))))

    row_totals = [total(row) for row in rows]
    col_totals = [total(col) for col in zip(*rows, strict=True)]
    margins = [c.residents for c in row_totals + col_totals]
    most = min(sum(c.residents for c in row_totals), sum(c.residents for c in col_totals))
    grand = Cell(sum(c.value for c in row_totals), draw(st.integers(max(margins), most)))
    return table(rows, row_totals, col_totals, grand)


@settings(max_examples=150, deadline=None)
@given(random_tables(), st.integers(1, 8))
def test_random_tables_are_safe_after_suppression(tab, k):
    """Whatever the table, nothing sensitive is published and nothing hidden can be solved for."""
    n_rows, _ = tab.shape
    rows = [[tab.cells[i, j] for j in range(tab.shape[1])] for i in range(n_rows)]
    result = suppress(
        rows,
        k,
        row_totals=[tab.cells[i, TOTAL] for i in range(n_rows)],
        col_totals=[tab.cells[TOTAL, j] for j in range(tab.shape[1])],
        grand_total=tab.cells[TOTAL, TOTAL],
    )
    assert_safe(result, k)
    assert bridges(result.table, result.suppressed) == set()


@settings(max_examples=150, deadline=None)
@given(random_tables(), st.data())
def test_disclosed_cells_agrees_with_the_graph_test(tab, data):
    """Exact elimination and the bridge criterion name the same disclosed cells for any hidden set."""
    hidden = data.draw(st.sets(st.sampled_from(sorted(tab.cells, key=str))))
    assert disclosed_cells(tab, hidden) == bridges(tab, hidden)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=1, max_size=8), st.integers(1, 8))
def test_random_series_are_safe(residents, k):
    """Lists with a total are protected like tables."""
    assert_safe(suppress_series([Cell(r, r) for r in residents], k), k)
