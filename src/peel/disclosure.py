"""Small numbers on public pages: the one rule every published table goes through.

A count of 1 to 9 could point at a person (the one burglary in a district in a month), so:

1. **Small counts** from 1 to 9 are shown as "fewer than 10". Zero is shown: it tells of
   nobody.
2. **Totals cannot give them away**: a table is published with its totals (each row's and
   each column's). Wherever exactly one figure of a row or column (its total included) is
   hidden, taking the others from the total would recover it, so the smallest other non-zero
   figure of that row or column is hidden too ("not shown"). Hidden figures can still be
   worked out by combining several rows and columns, so peel then solves the table as
   someone trying would (the rows and columns as equations in the hidden figures) and, while
   any hidden figure has a single solution, hides the smallest non-zero figure of its row
   or column too. No hidden count can then be worked out exactly.
3. **Rates** are shown only when their numerator and denominator are both shown and both at
   least 10.

Hidden figures are left out of everything published, the JSON included: a hidden cell has
no value, only its text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

THRESHOLD = 10
SMALL, SECONDARY = "small", "secondary"
TEXTS = {SMALL: f"fewer than {THRESHOLD}", SECONDARY: "not shown"}
RULE = (f"Counts from 1 to {THRESHOLD - 1} are shown as \"{TEXTS[SMALL]}\". Where a hidden count could be "
        f"worked out from a total, another count of its row or column is hidden too (\"{TEXTS[SECONDARY]}\"). "
        f"Rates are shown only when both of their counts are shown and at least {THRESHOLD}.")
TOTAL = "Total"

Key = tuple[str, str]  # (row, column)


@dataclass(frozen=True)
class CountTable:
    """Counts by row and column, before publication; a missing (row, column) is zero. The
    totals are added when it is published, so they always add up."""

    title: str
    row_header: str
    rows: list[str]
    columns: list[str]
    counts: dict[Key, int]
    row_total: str = TOTAL  # the label of the totals' row (e.g. "All crime")
    column_total: str = TOTAL  # and of their column (e.g. the force)


@dataclass(frozen=True)
class Cell:
    value: float | None  # None when hidden
    text: str
    hidden: str | None = None  # SMALL or SECONDARY


@dataclass(frozen=True)
class PublishedTable:
    """A table as it may be shown: rows and columns end with their totals."""

    title: str
    row_header: str
    rows: list[str]
    columns: list[str]
    cells: dict[str, dict[str, Cell]]  # row -> column -> cell


def publish_counts(table: CountTable) -> PublishedTable:
    """The table with its totals and small numbers hidden as the rule says."""
    row_total, column_total = table.row_total, table.column_total
    rows, columns = [*table.rows, row_total], [*table.columns, column_total]
    values = {(r, c): table.counts.get((r, c), 0) for r in table.rows for c in table.columns}
    for r in table.rows:
        values[(r, column_total)] = sum(values[(r, c)] for c in table.columns)
    for c in columns:
        values[(row_total, c)] = sum(values[(r, c)] for r in table.rows)
    hidden = {key: SMALL for key, value in values.items() if 0 < value < THRESHOLD}
    hide_recoverable(values, hidden, rows, columns)
    cells = {r: {c: Cell(None, TEXTS[hidden[(r, c)]], hidden[(r, c)]) if (r, c) in hidden
                 else Cell(values[(r, c)], f"{values[(r, c)]:,}") for c in columns} for r in rows}
    return PublishedTable(table.title, table.row_header, rows, columns, cells)


def hide_recoverable(values: dict[Key, int], hidden: dict[Key, str], rows: list[str], columns: list[str]) -> None:
    """Hide more cells until no row or column (with its total) hides exactly one. ``rows``
    and ``columns`` end with their totals."""
    lines = [([(r, c) for c in columns[:-1]], (r, columns[-1])) for r in rows]
    lines += [([(r, c) for r in rows[:-1]], (rows[-1], c)) for c in columns]
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            if sum(key in hidden for key in [*parts, total]) != 1:
                continue
            # A hidden zero would not protect: the two hidden would add up to the small one.
            others = [key for key in parts if key not in hidden and values[key] > 0]
            chosen = min(others, key=lambda key: values[key]) if others else total
            hidden[chosen] = SECONDARY
            changed = True
    while determined := find_determined(hidden, lines):
        row, column = determined[0]
        near = [key for parts, total in lines if (row, column) in (*parts, total) for key in (*parts, total)]
        others = [key for key in near if key not in hidden and values[key] > 0]
        if not others:  # its row and column show only zeros: hide elsewhere
            others = [key for key, value in values.items() if key not in hidden and value > 0]
        hidden[min(others, key=lambda key: values[key])] = SECONDARY


def find_determined(hidden: dict[Key, str], lines: list[tuple[list[Key], Key]]) -> list[Key]:
    """The hidden cells that the shown ones and the totals determine: each row and column is an
    equation (parts - total = 0) in the hidden cells, and a cell is determined when every
    solution of the equations without the shown figures leaves it unchanged (its component of
    the equations' null space is zero)."""
    keys = list(hidden)
    index = {key: i for i, key in enumerate(keys)}
    equations = np.zeros((len(lines), len(keys)))
    for n, (parts, total) in enumerate(lines):
        for key in parts:
            if key in index:
                equations[n, index[key]] += 1
        if total in index:
            equations[n, index[total]] -= 1
    _, singular, vt = np.linalg.svd(equations)
    rank = int((singular > 1e-9).sum())
    null_space = vt[rank:]
    return [key for key, i in index.items() if np.all(np.abs(null_space[:, i]) < 1e-9)]


def publish_rates(title: str, numerator: PublishedTable, denominator: PublishedTable) -> PublishedTable:
    """Percentages numerator / denominator, cell by cell, shown only where the rule allows."""
    cells = {}
    for r in denominator.rows:
        cells[r] = {}
        for c in denominator.columns:
            top, bottom = numerator.cells[r][c], denominator.cells[r][c]
            if top.value is None or bottom.value is None or min(top.value, bottom.value) < THRESHOLD:
                cells[r][c] = Cell(None, TEXTS[SECONDARY], SMALL)
            else:
                rate = 100 * top.value / bottom.value
                cells[r][c] = Cell(round(rate, 1), f"{rate:.0f}%")
    return PublishedTable(title, denominator.row_header, denominator.rows, denominator.columns, cells)
