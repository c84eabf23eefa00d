"""The force overview (the "gold group" view): every crime type's 12-month change, its
significance and the solve rates side by side, for one month, sortable by any column.

Each row is the crime type's declared measures as ``compute_measures`` reports them for the
whole force (no pattern detection: the overview shows none); nothing is computed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from peel.crime.compute import MeasuresReport, compute_measures
from peel.crime.scope import ASB, slugify
from peel.warehouse.generations import remember

# The columns a reader can sort by, with their headings, in the order shown.
COLUMNS = {
    "crime_type": "Crime type",
    "recorded": "Recorded, 12 months",
    "year_before": "Year before",
    "change_percent": "Change",
    "significant": "Significant",
    "solve_rate_cohort": "Solve rate (cohort)",
    "solve_rate_period": "Solve rate (period)",
}
DEFAULT_SORT = "crime_type"


@dataclass(frozen=True)
class OverviewRow:
    crime_type: str
    slug: str  # for the crime performance page's address
    recorded: int
    year_before: float | None
    change_percent: float | None
    significant: bool | None
    p_value: float | None
    solve_rate_cohort: float
    solve_rate_period: float

    @classmethod
    def from_report(cls, report: MeasuresReport) -> OverviewRow:
        recorded = report.figure("recorded_crimes")
        # The first solve rate is the last complete month (a month cut short follows it).
        return cls(report.scope.crime_type_label, slugify(report.scope.crime_type_label), int(recorded.value),
                   recorded.comparison_value, recorded.change_percent, recorded.significant,
                   recorded.p_value, report.figure("solve_rate_cohort").value,
                   report.figure("solve_rate_period").value)


@dataclass(frozen=True)
class Overview:
    month: date
    as_of: date
    twelve_months: str  # the 12-month period's label
    rate_period: str  # the solve rates' period's label
    rows: list[OverviewRow]


def get_overview(con: duckdb.DuckDBPyConnection, month: date) -> Overview:
    """Every crime type (anti-social behaviour is no crime) for the force; worked out once per
    published warehouse generation (``remember``), so a second reader of the month gets it at once."""
    return remember(con, "crime_overview", month, lambda: build_overview(con, month))


def build_overview(con: duckdb.DuckDBPyConnection, month: date) -> Overview:
    types = [r[0] for r in con.execute(
        "SELECT DISTINCT crime_type FROM crime WHERE crime_type <> $asb ORDER BY 1", {"asb": ASB}).fetchall()]
    reports = [compute_measures(con, t, month, with_patterns=False) for t in types]
    first = reports[0]
    return Overview(month, first.as_of, first.figure("recorded_crimes").period,
                    first.figure("solve_rate_cohort").period, [OverviewRow.from_report(r) for r in reports])


def sort_rows(rows: list[OverviewRow], column: str, descending: bool) -> list[OverviewRow]:
    """The rows by ``column`` (one of COLUMNS), rows without a value last either way."""
    if column not in COLUMNS:
        raise ValueError(f"No column '{column}' to sort by: choose one of {', '.join(COLUMNS)}.")
    present = [r for r in rows if getattr(r, column) is not None]
    missing = [r for r in rows if getattr(r, column) is None]
    return sorted(present, key=lambda r: getattr(r, column), reverse=descending) + missing
