"""Compute the declared measures for a crime type, an area and a reporting month.

One function, ``compute_measures``, is what the CLI and the pack call: it
resolves the scope, runs each measure's declared SQL for its periods and comparisons, and
adds the pattern analysis. Like-for-like comparisons: a year-earlier solve rate is taken
as it stood a year before the snapshot, so both periods had the same time to be solved.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import duckdb

from peel.crime.patterns import PatternReport, detect_patterns
from peel.crime.scope import Scope, apply_scope, resolve_scope
from peel.measures.periods import (
    Period,
    get_financial_year,
    get_last_complete_month,
    get_month,
    get_month_end,
    get_month_to_date,
    get_rolling_12_months,
)
from peel.measures.registry import get_measure
from peel.measures.stats import compare_counts
from peel.warehouse.database import get_last_day_covered


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

    def _number(self, value: float) -> str:
        return f"{value:.0f}%" if self.unit == "percent" else f"{value:,.0f}"

    def as_text(self) -> str:
        if self.unit == "percent":
            return f"{self._number(self.value)} ({self.numerator:,} solved of {self.denominator:,})"
        return self._number(self.value)

    def comparison_text(self) -> str:
        return "" if self.comparison_value is None else self._number(self.comparison_value)

    def change_text(self) -> str:
        """The change with its percentage where there is one; a rate's change is in points."""
        if self.change_percent is not None:
            return f"{self.change:+,.0f} ({self.change_percent:+.1f}%)"
        if self.change is not None:
            return f"{self.change:+.1f} points" if self.unit == "percent" else f"{self.change:+,.0f}"
        return ""


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
    last_day = get_last_day_covered(con)
    if last_day is None:
        raise ValueError("The warehouse has no crimes. Load data first: 'peel demo-data' or 'peel ingest police-uk PATH'.")
    return last_day


def get_data_first_month(con: duckdb.DuckDBPyConnection) -> date:
    return con.execute("SELECT min(month) FROM crime").fetchone()[0]


def _run(con, sql: str, period: Period, as_of: date, snapshot: date) -> int:
    params = {"start": period.start, "end": period.end, "as_of": as_of, "at_snapshot": as_of >= snapshot}
    # DuckDB refuses parameters a statement does not use.
    return con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).fetchone()[0]


@dataclass(frozen=True)
class _Context:
    """What every measure in one report shares: the connection and the data's extent."""

    con: duckdb.DuckDBPyConnection
    snapshot: date  # the last day the data covers (not the as-of date a report asks for)
    first: date  # the first month the data covers

    def covers(self, period: Period) -> bool:
        return self.first <= period.start and period.end <= self.snapshot + timedelta(days=1)

    def count(self, measure_id: str, period: Period, as_of: date) -> int:
        """A count measure over a period (scoped_* tables must be in place)."""
        return _run(self.con, get_measure(measure_id).sql, period, as_of, self.snapshot)

    def rate(self, measure_id: str, period: Period, as_of: date) -> tuple[float, int, int]:
        """A rate measure over a period: (percent, numerator, denominator)."""
        m = get_measure(measure_id)
        num = _run(self.con, m.numerator_sql, period, as_of, self.snapshot)
        den = _run(self.con, m.sql, period, as_of, self.snapshot)
        return (num / den * 100 if den else 0.0), num, den


def _year_earlier(period: Period) -> Period:
    label = period.label.replace(str(period.start.year), str(period.start.year - 1))
    return Period(_a_year_before(period.start), _a_year_before(period.end), label)


def _a_year_before(day: date) -> date:
    return day - timedelta(days=366) if (day.month, day.day) == (2, 29) else day.replace(year=day.year - 1)


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
    snapshot = get_data_as_of(con)
    as_of = as_of or snapshot
    if month > as_of:
        raise ValueError(f"No data for {month:%B %Y}: the data ends on {as_of:%d %B %Y}.")
    ctx = _Context(con, snapshot, get_data_first_month(con))
    report = MeasuresReport(scope, month, as_of, [])
    _add_12_month_change(ctx, report)
    _add_financial_year_to_date(ctx, report)
    _add_solve_rates_and_arrests(ctx, report)
    if not con.execute("SELECT count(*) FROM arrest").fetchone()[0]:
        report.notes.append("No custody records are loaded, so arrests are not known (data.police.uk has none).")
    if with_patterns:
        report.patterns = detect_patterns(con, scope, month, as_of, ctx.first)
    return report


def _add_12_month_change(ctx: _Context, report: MeasuresReport) -> None:
    m = get_measure("recorded_crimes")
    last_complete = get_last_complete_month(report.month, report.as_of)
    current, previous = get_rolling_12_months(last_complete)
    if last_complete != report.month:
        report.notes.append(
            f"{report.month:%B %Y} is not complete in the data (snapshot {report.as_of:%d %B %Y}), so the "
            f"12-month comparison ends with {last_complete:%B %Y}."
        )
    figure = Figure(m.id, m.name + ", 12 months", current.label, ctx.count(m.id, current, report.as_of), m.unit)
    if ctx.covers(previous):
        test = _compare_with(ctx, figure, previous, report.as_of)
        figure.note = f"{'Significant' if test.significant else 'Not significant'} ({test.method}, p={test.p_value:.2f})"
    else:
        figure.note = f"No comparison: the data starts in {ctx.first:%B %Y}, so {previous.label} is not covered."
    if not ctx.covers(current):
        figure.note = f"Incomplete: the data starts in {ctx.first:%B %Y}, so {current.label} is not fully covered."
    report.figures.append(figure)


def _add_financial_year_to_date(ctx: _Context, report: MeasuresReport) -> None:
    """Crimes recorded in the financial year (April to March) up to the snapshot, against
    the same days of the year before, as the Home Office reports years."""
    m = get_measure("recorded_crimes")
    year = get_financial_year(report.month)
    end = min(year.end, report.as_of + timedelta(days=1), get_month_end(report.month))
    current = Period(year.start, end, f"{year.label} to {end - timedelta(days=1):%d %B %Y}")
    before = get_financial_year(_a_year_before(year.start))
    last_day_before = _a_year_before(end - timedelta(days=1))
    previous = Period(before.start, last_day_before + timedelta(days=1), f"{before.label} to {last_day_before:%d %B %Y}")
    figure = Figure(m.id, m.name + ", financial year to date", current.label, ctx.count(m.id, current, report.as_of), m.unit)
    if ctx.covers(previous):
        _compare_with(ctx, figure, previous, report.as_of)
    report.figures.append(figure)


def _compare_with(ctx: _Context, figure: Figure, previous: Period, as_of: date):
    """Fill a count figure's comparison with an equal earlier period, and test the change."""
    test = compare_counts(int(figure.value), ctx.count(figure.measure_id, previous, as_of))
    figure.comparison_period, figure.comparison_value = previous.label, test.previous
    figure.change, figure.change_percent = test.change, test.percent
    figure.p_value, figure.significant = test.p_value, test.significant
    return test


def _add_solve_rates_and_arrests(ctx: _Context, report: MeasuresReport) -> None:
    # A complete month is reported as itself; a month the snapshot cuts short is reported
    # to date, beside the last complete month.
    month, as_of = report.month, report.as_of
    last_complete = get_last_complete_month(month, as_of)
    if last_complete == month:
        periods = [get_month(month)]
    else:
        periods = [get_month(last_complete), get_month_to_date(month, as_of)]
    then = _a_year_before(as_of)
    for measure_id in ("solve_rate_cohort", "solve_rate_period", "arrests"):
        m = get_measure(measure_id)
        for period in periods:
            before = _year_earlier(period)
            if m.is_rate:
                value, num, den = ctx.rate(m.id, period, as_of)
                figure = Figure(m.id, m.name, period.label, value, m.unit, num, den)
            else:
                figure = Figure(m.id, m.name, period.label, ctx.count(m.id, period, as_of), m.unit)
            if ctx.covers(before):
                figure.comparison_period = f"{before.label} (as at {then:%d %B %Y})"
                figure.comparison_value = ctx.rate(m.id, before, then)[0] if m.is_rate else ctx.count(m.id, before, then)
                figure.change = figure.value - figure.comparison_value
            report.figures.append(figure)
