"""Compute the declared measures for a crime type, an area and a reporting month.

One function, ``compute_measures``, is what the CLI and the pack call: it
resolves the scope, runs each measure's declared SQL for its periods and comparisons, and
adds the pattern analysis. Like-for-like comparisons: a year-earlier solve rate is taken
as it stood a year before the snapshot, so both periods had the same time to be solved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from peel.crime.figure import Figure
from peel.crime.patterns import PatternReport, detect_patterns
from peel.crime.scope import Place, Scope, apply_scope, count_places, resolve_scope
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
from peel.measures.rounding import format_percent
from peel.measures.stats import compare_counts
from peel.warehouse.database import get_last_day_covered


@dataclass
class MeasuresReport:
    scope: Scope
    month: date
    as_of: date
    figures: list[Figure]
    patterns: PatternReport | None = None
    notes: list[str] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)  # where the 12 months' crimes are

    def figure(self, measure_id: str, period_prefix: str = "") -> Figure:
        for f in self.figures:
            if f.measure_id == measure_id and f.period.startswith(period_prefix):
                return f
        raise KeyError(measure_id)

    def to_dict(self) -> dict:
        """Everything the table shows, as JSON data (its schema: crime/measures.schema.json)."""
        from peel.crime.report_json import report_to_dict

        return report_to_dict(self)


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


# Positive outcomes first assigned in a period whose crime is not in the warehouse, because
# it was recorded before the first month loaded (see scope.py).
EARLIER_CRIMES_SQL = """
    SELECT count(*) FROM (
      SELECT crime_key, min(assigned) AS first_positive FROM scoped_unattributed
      WHERE is_positive GROUP BY crime_key)
    WHERE first_positive >= $start AND first_positive < $end AND first_positive <= $as_of"""
OUTCOMES_LOADED_SQL = """
    SELECT count(*) > 0 FROM outcome
    WHERE coalesce(outcome_date, month) >= $start AND coalesce(outcome_date, month) < $end
      AND coalesce(outcome_date, month) <= $as_of"""
LAST_OUTCOMES_SQL = "SELECT count(*) > 0 FROM crime WHERE last_outcome IS NOT NULL"
NO_ARRESTS = ("no custody records are loaded, so arrests are not known "
              "(data.police.uk publishes none)")


@dataclass(frozen=True)
class _Context:
    """What every measure in one report shares: the connection and the data's extent."""

    con: duckdb.DuckDBPyConnection
    snapshot: date  # the last day the data covers (not the as-of date a report asks for)
    first: date  # the first month the data covers
    all_crime: bool  # the scope is all crime, so outcomes of crimes of unknown type count

    def coverage(self, period: Period) -> tuple[float, str | None]:
        """The share of the period's days the data covers, and those days in words when they
        are not all of it. Periods end at the snapshot at the latest (a month to date says
        so in its label): what a period can lack is its start, before the data's first month."""
        start, end = max(period.start, self.first), period.end
        days = max((end - start).days, 0)
        share = days / (period.end - period.start).days
        if share >= 1:
            return 1.0, None
        if not days:
            return 0.0, "the data does not cover any of it"
        return share, f"the data covers it from {start.day} {start:%B %Y} only ({format_percent(share * 100)} of its days)"

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

    def not_available(self, measure_id: str, period: Period, as_of: date) -> str | None:
        """Why a measure cannot be known for the period as at ``as_of``, or None: a figure
        with no data behind it is "not available", never zero."""
        if measure_id == "arrests":
            has_arrests = self.con.execute("SELECT count(*) > 0 FROM arrest").fetchone()[0]
            return None if has_arrests else NO_ARRESTS
        outcomes = _run(self.con, OUTCOMES_LOADED_SQL, period if measure_id == "solve_rate_period"
                        else Period(period.start, as_of + timedelta(days=1), period.label), as_of, self.snapshot)
        if outcomes:
            return None
        if measure_id == "solve_rate_cohort" and as_of >= self.snapshot \
                and self.con.execute(LAST_OUTCOMES_SQL).fetchone()[0]:
            return None  # the street files' last outcomes give the rate at the snapshot
        if measure_id == "solve_rate_cohort":
            return (f"no outcomes assigned from {period.start:%d %B %Y} to {as_of:%d %B %Y} are loaded, and a "
                    "crime's published last outcome is known only at the snapshot (load the outcomes files)")
        return (f"no outcomes assigned in {period.label} are loaded (a police.uk street file without its "
                "outcomes file), so the crimes solved in it are not known")

    def earlier_crime_outcomes(self, period: Period, as_of: date) -> int | None:
        """Positive outcomes first seen in the period whose crime was recorded before the
        data starts (None when there are none). Their type is not known, so a crime type's
        rate cannot count them; all crime counts them, but cannot see whether such a crime
        was solved before the data starts."""
        return _run(self.con, EARLIER_CRIMES_SQL, period, as_of, self.snapshot) or None


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
    ctx = _Context(con, snapshot, get_data_first_month(con), scope.all_crime)
    report = MeasuresReport(scope, month, as_of, [])
    twelve_months = _add_12_month_change(ctx, report)
    _add_financial_year_to_date(ctx, report)
    _add_solve_rates_and_arrests(ctx, report)
    report.places = count_places(con, twelve_months, as_of)
    if with_patterns:
        report.patterns = detect_patterns(con, scope, month, as_of, ctx.first)
    return report


def _add_12_month_change(ctx: _Context, report: MeasuresReport) -> Period:
    """The 12 months to the last complete month against the 12 before; returns the period."""
    m = get_measure("recorded_crimes")
    last_complete = get_last_complete_month(report.month, report.as_of)
    current, previous = get_rolling_12_months(last_complete)
    if last_complete != report.month:
        report.notes.append(
            f"{report.month:%B %Y} is not complete in the data (snapshot {report.as_of:%d %B %Y}), so the "
            f"12-month comparison ends with {last_complete:%B %Y}."
        )
    figure = _count_figure(ctx, m.id, m.name + ", 12 months", current, report.as_of)
    if figure.partial:
        figure.note = f"Partial: {figure.covered}, so it is not a 12-month total; no comparison is made."
    elif ctx.covers(previous):
        test = _compare_with(ctx, figure, previous, report.as_of)
        figure.note = f"{'Significant' if test.significant else 'Not significant'} ({test.method}, p={test.p_value:.2f})"
    else:
        figure.note = f"No comparison: the data starts in {ctx.first:%B %Y}, so {previous.label} is not covered."
    report.figures.append(figure)
    return current


def _count_figure(ctx: _Context, measure_id: str, name: str, period: Period, as_of: date) -> Figure:
    coverage, covered = ctx.coverage(period)
    return Figure(measure_id, name, period.label, ctx.count(measure_id, period, as_of), get_measure(measure_id).unit,
                  coverage=coverage, covered=covered)


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
    figure = _count_figure(ctx, m.id, m.name + ", financial year to date", current, report.as_of)
    if figure.partial:
        figure.note = f"Partial: {figure.covered}, so it is not the year to date; no comparison is made."
    elif ctx.covers(previous):
        _compare_with(ctx, figure, previous, report.as_of)
    else:
        figure.note = f"No comparison: the data starts in {ctx.first:%B %Y}, so {previous.label} is not covered."
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
        for period in periods:
            figure = _figure(ctx, measure_id, period, as_of)
            before = _year_earlier(period)
            if figure.value is None or not ctx.covers(before):
                report.figures.append(figure)
                continue
            then_figure = _figure(ctx, measure_id, before, then)
            figure.comparison_period = f"{before.label} (as at {then:%d %B %Y})"
            if then_figure.value is None:
                figure.comparison_not_available = then_figure.not_available
            else:
                figure.comparison_value = then_figure.value
                figure.comparison_partial = then_figure.partial
                figure.change = figure.value - figure.comparison_value
                if then_figure.earlier_crime_outcomes:
                    figure.note = _join(figure.note, f"{before.label} is partial too: "
                                        + _describe_earlier(then_figure.earlier_crime_outcomes, before, ctx))
            report.figures.append(figure)


def _figure(ctx: _Context, measure_id: str, period: Period, as_of: date) -> Figure:
    """One rate or count figure for a period as at ``as_of``, or why it is not available."""
    m = get_measure(measure_id)
    coverage, covered = ctx.coverage(period)
    reason = ctx.not_available(measure_id, period, as_of)
    if reason is not None:
        return Figure(m.id, m.name, period.label, None, m.unit, not_available=reason,
                      note=f"Not available: {reason}.", coverage=coverage, covered=covered)
    if not m.is_rate:
        return Figure(m.id, m.name, period.label, ctx.count(m.id, period, as_of), m.unit,
                      coverage=coverage, covered=covered)
    value, num, den = ctx.rate(m.id, period, as_of)
    figure = Figure(m.id, m.name, period.label, value, m.unit, num, den, coverage=coverage, covered=covered)
    if m.id == "solve_rate_period":
        figure.earlier_crime_outcomes = ctx.earlier_crime_outcomes(period, as_of)
        if figure.earlier_crime_outcomes:
            figure.note = "Partial: " + _describe_earlier(figure.earlier_crime_outcomes, period, ctx)
    return figure


def _describe_earlier(outcomes: int, period: Period, ctx: _Context) -> str:
    text = (f"{outcomes:,} positive outcomes in {period.label} are of crimes recorded before "
            f"{ctx.first:%B %Y}, when the data starts")
    if ctx.all_crime:
        return text + ("; they are counted, but whether such a crime was solved before the data starts "
                       "cannot be seen.")
    return text + "; their crime type is not known, so they are not counted here (all crime counts them)."


def _join(*notes: str | None) -> str:
    return " ".join(n for n in notes if n)
