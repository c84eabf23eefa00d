"""The small-numbers rule: counts 1-9 hidden, no hidden count recoverable from the totals, rates
only over shown counts of 10 or more."""

from __future__ import annotations

import random

import numpy as np
import pytest

from peel.disclosure import SECONDARY, SMALL, CountTable, publish_counts, publish_rates


def hidden_cells(table) -> dict[tuple[str, str], str]:
    return {(r, c): cell.hidden for r in table.rows for c in table.columns
            if (cell := table.cells[r][c]).hidden}


def recoverable(table) -> list[tuple[str, str]]:
    """The hidden cells someone could work out exactly from the shown cells and the fact that
    every row and column adds up to its total: those whose unit vector lies in the span of
    the additivity constraints on the hidden cells."""
    hidden = list(hidden_cells(table))
    if not hidden:
        return []
    index = {key: i for i, key in enumerate(hidden)}
    rows, columns = table.rows, table.columns
    lines = [[(r, c) for c in columns] for r in rows] + [[(r, c) for r in rows] for c in columns]
    constraints = []
    for line in lines:  # the parts minus the total (the last) are zero
        vector = np.zeros(len(hidden))
        for key in line[:-1]:
            if key in index:
                vector[index[key]] += 1
        if line[-1] in index:
            vector[index[line[-1]]] -= 1
        constraints.append(vector)
    matrix = np.array(constraints)
    rank = np.linalg.matrix_rank(matrix)
    return [key for key, i in index.items()
            if np.linalg.matrix_rank(np.vstack([matrix, np.eye(len(hidden))[i]])) == rank]


def make_table(counts: dict, rows=("A", "B", "C"), columns=("North", "South", "East")) -> CountTable:
    return CountTable("Crimes", "Type", list(rows), list(columns), counts, row_total="All", column_total="Force")


def test_publish_counts_shows_zero_and_ten_and_hides_one_to_nine():
    table = publish_counts(make_table({("A", "North"): 10, ("A", "South"): 100, ("A", "East"): 100,
                                       ("B", "North"): 0, ("B", "South"): 40, ("B", "East"): 9,
                                       ("C", "North"): 50, ("C", "South"): 30, ("C", "East"): 1}))
    assert table.rows == ["A", "B", "C", "All"] and table.columns == ["North", "South", "East", "Force"]
    assert [table.cells["A"][c].text for c in table.columns] == ["10", "100", "100", "210"]
    assert [table.cells["B"][c].text for c in table.columns] == ["0", "not shown", "fewer than 10", "49"]
    assert table.cells["All"]["Force"].text == "340"
    assert hidden_cells(table) == {("B", "East"): SMALL, ("C", "East"): SMALL, ("B", "South"): SECONDARY,
                                   ("C", "South"): SECONDARY}
    assert table.cells["B"]["East"].value is None


def test_publish_counts_hides_a_second_cell_when_a_total_would_give_the_small_one_away():
    table = publish_counts(make_table({("A", "North"): 4, ("A", "South"): 25, ("A", "East"): 12,
                                       ("B", "North"): 30, ("B", "South"): 25, ("B", "East"): 40,
                                       ("C", "North"): 50, ("C", "South"): 60, ("C", "East"): 70}))
    # A's row: the smallest other non-zero cell (East, 12); North's column: B (30); then
    # East's column and B's row have one hidden each, and hide their smallest (B East, 40).
    assert hidden_cells(table) == {("A", "North"): SMALL, ("A", "East"): SECONDARY,
                                   ("B", "North"): SECONDARY, ("B", "East"): SECONDARY}
    assert recoverable(table) == []


def test_publish_counts_hides_the_total_of_a_single_small_part():
    table = publish_counts(make_table({("A", "North"): 3}, rows=["A"], columns=["North"]))
    assert hidden_cells(table) == {("A", "North"): SMALL, ("A", "Force"): SMALL, ("All", "North"): SMALL,
                                   ("All", "Force"): SMALL}


def test_publish_counts_never_hides_a_zero_to_protect_a_small_count():
    table = publish_counts(make_table({("A", "North"): 5, ("A", "South"): 0, ("A", "East"): 0,
                                       ("B", "North"): 20, ("C", "North"): 20}))
    assert ("A", "South") not in hidden_cells(table) and table.cells["A"]["Force"].hidden == SMALL


@pytest.mark.parametrize("seed", range(200))
def test_publish_counts_leaves_no_hidden_count_recoverable(seed):
    rng = random.Random(seed)
    rows = [f"type {i}" for i in range(rng.randint(1, 6))]
    columns = [f"district {i}" for i in range(rng.randint(1, 6))]
    counts = {(r, c): rng.choice([0, 0, 1, 3, 8, 9, 10, 12, 25, 100]) for r in rows for c in columns}
    table = publish_counts(make_table(counts, rows, columns))
    assert recoverable(table) == []
    for r in table.rows:
        for c in table.columns:
            cell = table.cells[r][c]
            assert (cell.value is None) == (cell.hidden is not None)
            assert cell.hidden != SECONDARY or counts.get((r, c), 1) != 0


def test_publish_rates_only_over_shown_counts_of_ten_or_more():
    recorded = publish_counts(make_table({("A", "North"): 40, ("A", "South"): 40, ("A", "East"): 12,
                                          ("B", "North"): 50, ("B", "South"): 20, ("B", "East"): 30}, rows=["A", "B"]))
    solved = publish_counts(make_table({("A", "North"): 15, ("A", "South"): 11, ("A", "East"): 0,
                                        ("B", "North"): 25, ("B", "South"): 20, ("B", "East"): 0}, rows=["A", "B"]))
    rates = publish_rates("Solve rate", solved, recorded)
    assert rates.cells["A"]["North"].text == "38%" and rates.cells["A"]["North"].value == 37.5
    assert rates.cells["B"]["South"].text == "100%"
    assert rates.cells["A"]["East"].value is None  # 0 solved: under 10
    assert rates.cells["All"]["Force"].text == "37%"  # 71 of 192
    small = publish_counts(make_table({("A", "North"): 9, ("A", "South"): 40}, rows=["A"], columns=["North", "South"]))
    hidden = publish_rates("Solve rate", small, small)
    assert [hidden.cells["A"][c].value for c in hidden.columns] == [None, None, 100.0]  # 9 and its protector
