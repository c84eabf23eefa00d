"""The crime pages' tables, built once from what ``compute``, ``overview`` and ``daily``
return: the page shows each and its download serves the same (``peel.web.downloads``).
"""

from __future__ import annotations

from datetime import date

from peel.crime.compute import MeasuresReport
from peel.crime.daily import CRIME_RECORD, Daily, SolvedCrime
from peel.crime.figure import NOT_AVAILABLE
from peel.crime.overview import COLUMNS, Overview, OverviewRow
from peel.crime.scope import slugify
from peel.measures.rounding import format_percent
from peel.web.downloads import DataTable, PersonalData


def _percent(value: float | None, signed: bool = True) -> str:
    return "" if value is None else format_percent(value, signed=signed)


def _rate(value: float | None) -> str:
    return NOT_AVAILABLE if value is None else format_percent(value)


def figures_table(report: MeasuresReport, source: str) -> DataTable:
    name = f"{slugify(report.scope.crime_type_label)}-{slugify(report.scope.area_name)}-{report.month:%Y-%m}"
    rows = [[f.name, f.period, f.as_text(), f.comparison_period or "", f.comparison_text(), f.change_text(),
             f.coverage_text(), f.note or ""] for f in report.figures]
    return DataTable(f"{name}-figures", f"{report.scope.description}: {report.month:%B %Y}",
                     ["Measure", "Period", "Value", "Compared with", "Then", "Change", "Data covers", "Note"], rows,
                     source)


def series_table(report: MeasuresReport, series: list[dict], source: str) -> DataTable:
    """The chart's data, as a table too (a chart's text alternative)."""
    name = f"{slugify(report.scope.crime_type_label)}-{slugify(report.scope.area_name)}-{report.month:%Y-%m}"
    rows = [[s["month"][:7], s["recorded"], s["expected"], "yes" if s["unusual"] else "",
             "partial" if s["partial"] else ""] for s in series]
    return DataTable(f"{name}-monthly", f"{report.scope.description}: crimes recorded per month",
                     ["Month", "Recorded", "Expected for the season", "Unusually high", "Month in the data"],
                     rows, source)


def overview_table(overview: Overview, rows: list[OverviewRow], source: str) -> DataTable:
    def significance(row: OverviewRow) -> str:
        if row.significant is None:
            return ""
        return f"{'yes' if row.significant else 'no'} (p={row.p_value:.2f})"

    body = [[r.crime_type, r.recorded, r.year_before, _percent(r.change_percent), significance(r),
             _rate(r.solve_rate_cohort), _rate(r.solve_rate_period)] for r in rows]
    return DataTable(f"force-overview-{overview.month:%Y-%m}",
                     f"Every crime type: {overview.twelve_months}; solve rates {overview.rate_period}",
                     list(COLUMNS.values()), body, source)


def daily_table(daily: Daily, source: str) -> DataTable:
    rows = [[c.crime_type, c.area_name, c.solved] for c in daily.counts]
    return DataTable(f"solved-{daily.day.isoformat()}", f"Crimes solved on {daily.day:%A %d %B %Y}",
                     ["Crime type", "Area", "Solved"], rows, source)


def week_table(daily: Daily, source: str) -> DataTable:
    days = daily.week_days
    solved = {(t.crime_type, t.day): t.solved for t in daily.week}
    rows = [[crime_type, *[solved.get((crime_type, d), 0) for d in days]]
            for crime_type in sorted({t.crime_type for t in daily.week})]
    rows.append(["All crime types", *[sum(t.solved for t in daily.week if t.day == d) for d in days]])
    return DataTable(f"solved-week-to-{daily.day.isoformat()}", f"Crimes solved each day, the week to "
                     f"{daily.day:%d %B %Y}", ["Crime type", *[f"{d:%a %d %b}" for d in days]], rows, source)


def crimes_table(day: date, crimes: list[SolvedCrime], source: str) -> DataTable:
    rows = [[c.reference, c.recorded, c.crime_type, c.area_name, c.neighbourhood, c.outcome] for c in crimes]
    return DataTable(f"crimes-solved-{day.isoformat()}", f"The crimes solved on {day:%A %d %B %Y}",
                     ["Crime reference", "Recorded", "Crime type", "Area", "Neighbourhood", "Outcome"], rows,
                     source, personal=PersonalData(CRIME_RECORD, [c.reference for c in crimes]))
