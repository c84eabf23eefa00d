"""Compute the declared measures for a crime type, an area and a reporting month.

One function, ``compute_measures``, is what the CLI, the pack and the dashboard call: it
resolves the scope, runs each measure's declared SQL for its periods and comparisons, and
adds the pattern analysis. Like-for-like comparisons: a year-earlier solve rate is taken
as it stood a year before the snapshot, so both periods had the same time to be solved.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import duckdb

from peel.measures.patterns import PatternReport, detect_patterns
from peel.measures.periods import (
    Period,
    add_months,
    get_last_complete_month,
    get_month,
    get_month_to_date,
    get_rolling_12_months,
)
from peel.measures.registry import get_measure
from peel.measures.scope import Scope, apply_scope, resolve_scope
from peel.measures.stats import compare_counts


@dataclass
class Figure:
    """One reported number with its period, comparison and test, ready for any output."""

    measure_id: str
    name: str
    period: str
    value: float
    unit: str
    numerator: int | None = None
    denominator: int | None = None
    comparison_period: str | None = None
    comparison_value: float | None = None
    change: float | None = None
    change_percent: float | None = None
    p_value: float | None = None
    significant: bool | None = None
    note: str | None = None

    def as_text(self) -> str:
        if self.unit == "percent":
            return f"{self.value:.0f}% ({self.numerator:,} solved of {self.denominator:,})"
        return f"{self.value:,.0f}"


@dataclass
class MeasuresReport:
    scope: Scope
    month: date
    as_of: date
    figures: list[Figure]
    patterns: PatternReport | None = None
    notes: list[str] = field(default_factory=list)

    def figure(self, measure_id: str, period_prefix: str = "") -> Figure:
        for f in self.figures:
            if f.measure_id == measure_id and f.period.startswith(period_prefix):
                return f
        raise KeyError(measure_id)

    def to_dict(self) -> dict:
        return {
            "crime_type": self.scope.crime_type_label,
            "area": self.scope.area_name,
            "area_level": self.scope.area_level,
            "month": self.month.isoformat()[:7],
            "as_of": self.as_of.isoformat(),
            "figures": [asdict(f) for f in self.figures],
            "patterns": self.patterns.summary if self.patterns else None,
            "notes": self.notes,
        }


def get_data_as_of(con: duckdb.DuckDBPyConnection) -> date:
    """The snapshot date: the last day the warehouse has crimes for."""
    row = con.execute(
        "SELECT max(coalesce(recorded_date, last_day(month))) FROM crime"
    ).fetchone()
    if row[0] is None:
        raise ValueError("The warehouse has no crimes. Load data first: 'peel demo-data' or 'peel ingest police-uk PATH'.")
    return row[0]


def get_data_first_month(con: duckdb.DuckDBPyConnection) -> date:
    return con.execute("SELECT min(month) FROM crime").fetchone()[0]


def _run(con, sql: str, period: Period, as_of: date) -> int:
    return con.execute(sql, {"start": period.start, "end": period.end, "as_of": as_of}).fetchone()[0]


def count(con, measure_id: str, period: Period, as_of: date) -> int:
    """A count measure over a period (scoped_* views must be in place)."""
    return _run(con, get_measure(measure_id).sql, period, as_of)


def rate(con, measure_id: str, period: Period, as_of: date) -> tuple[float, int, int]:
    """A rate measure over a period: (percent, numerator, denominator)."""
    m = get_measure(measure_id)
    num, den = _run(con, m.numerator_sql, period, as_of), _run(con, m.sql, period, as_of)
    return (num / den * 100 if den else 0.0), num, den


def _year_earlier(period: Period) -> Period:
    start, end = add_months(period.start, -12), period.end.replace(year=period.end.year - 1)
    label = period.label.replace(str(period.start.year), str(period.start.year - 1))
    return Period(start, end, label)


def compute_measures(
    con: duckdb.DuckDBPyConnection,
    crime_type: str,
    month: date,
    area: str | None = None,
    as_of: date | None = None,
    with_patterns: bool = True,
) -> MeasuresReport:
    """Every declared measure for the crime type, area and month."""
    scope = resolve_scope(con, crime_type, area)
    apply_scope(con, scope)
    as_of = as_of or get_data_as_of(con)
    if month > as_of:
        raise ValueError(f"No data for {month:%B %Y}: the data ends on {as_of:%d %B %Y}.")
    report = MeasuresReport(scope, month, as_of, [])
    figures = report.figures

    last_complete = get_last_complete_month(month, as_of)
    current, previous = get_rolling_12_months(last_complete)
    test = compare_counts(count(con, "recorded_crimes", current, as_of), count(con, "recorded_crimes", previous, as_of))
    m = get_measure("recorded_crimes")
    figures.append(
        Figure(m.id, m.name + ", 12 months", current.label, test.current, m.unit,
               comparison_period=previous.label, comparison_value=test.previous, change=test.change,
               change_percent=test.percent, p_value=test.p_value, significant=test.significant,
               note=f"{'Significant' if test.significant else 'Not significant'} ({test.method}, p={test.p_value:.2f})")
    )
    if last_complete != month:
        report.notes.append(
            f"{month:%B %Y} is not complete in the data (snapshot {as_of:%d %B %Y}), so the "
            f"12-month comparison ends with {last_complete:%B %Y}."
        )

    year_earlier_as_of = as_of.replace(year=as_of.year - 1) if not (as_of.month == 2 and as_of.day == 29) else as_of - timedelta(days=366)
    # A complete month is reported as itself; a month the snapshot cuts short is reported
    # to date, beside the last complete month.
    if last_complete == month:
        periods = [get_month(month)]
    else:
        periods = [get_month(last_complete), get_month_to_date(month, as_of)]
    for measure_id in ("solve_rate_cohort", "solve_rate_period"):
        m = get_measure(measure_id)
        for period in periods:
            value, num, den = rate(con, measure_id, period, as_of)
            before = _year_earlier(period)
            before_value, _, _ = rate(con, measure_id, before, year_earlier_as_of)
            figures.append(
                Figure(m.id, m.name, period.label, value, m.unit, num, den, before.label + f" (as at {year_earlier_as_of:%d %B %Y})",
                       before_value, value - before_value)
            )
    m = get_measure("arrests")
    for period in periods:
        n = count(con, "arrests", period, as_of)
        before = _year_earlier(period)
        figures.append(
            Figure(m.id, m.name, period.label, n, m.unit, comparison_period=before.label,
                   comparison_value=count(con, "arrests", before, year_earlier_as_of))
        )
    if not con.execute("SELECT count(*) FROM arrest").fetchone()[0]:
        report.notes.append("No custody records are loaded, so arrests are not known (data.police.uk has none).")
    if with_patterns:
        report.patterns = detect_patterns(con, scope, month, as_of, get_data_first_month(con))
    return report
