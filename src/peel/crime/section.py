"""The crime-performance section of the meeting pack, for any crime type and area (agenda
item 1 is burglary, force-wide).

Assembles the declared measures, the monthly series for the chart (with a sentence and a
table saying what it shows, for readers who cannot see it), the pattern analysis and the
prevention advice timed to the next calendar event, and renders them with
``templates/section.html.j2``. Reads only; computes nothing that is not a declared measure
or a pattern (``compute``, ``patterns``). ``KIND`` is what the pack's agenda registers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources

import duckdb
import yaml

from peel.crime.compute import MeasuresReport, compute_measures
from peel.crime.scope import resolve_area, resolve_crime_type
from peel.measures import get_measures
from peel.measures.calendar import CalendarEvent, get_calendar_events
from peel.measures.rounding import format_count, round_half_away
from peel.render import render_chart, render_template
from peel.section import Parameter, SectionKind
from peel.warehouse.database import get_last_day_covered

# The meeting note reports residential ("home") burglary; police.uk data has only Burglary.
PREFERRED_CRIME_TYPES = ("residential-burglary", "burglary")
MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CHART_MONTHS = 51  # four years and a quarter: each season's spikes can be seen recurring


@dataclass
class Advice:
    event: str
    publish_from: date
    event_day: date
    message: str
    areas: list[str]


@dataclass
class CrimeSection:
    report: MeasuresReport
    series: list[dict] = field(default_factory=list)  # month, recorded, expected, unusual
    advice: list[Advice] = field(default_factory=list)


@cache
def _load_advice() -> list[dict]:
    text = (resources.files("peel.crime") / "prevention_advice.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)["advice"]


def choose_crime_type(con: duckdb.DuckDBPyConnection, preferred: str | Sequence[str] = PREFERRED_CRIME_TYPES) -> str:
    """``preferred`` if it is one crime type; of a list, the first the data has, else the
    last, whose absence compute_measures then explains."""
    if isinstance(preferred, str):
        return preferred
    for crime_type in preferred[:-1]:
        try:
            resolve_crime_type(con, crime_type)
            return crime_type
        except ValueError:
            continue
    return preferred[-1]


def check_crime_type(con: duckdb.DuckDBPyConnection, crime_type: str | Sequence[str]) -> None:
    """Refuse a crime type (or a list none of which) the warehouse records, listing those it does."""
    if not (isinstance(crime_type, str) or (isinstance(crime_type, list) and crime_type
                                            and all(isinstance(c, str) for c in crime_type))):
        raise ValueError(f"expected a crime type, such as shoplifting, or a list of them, not {crime_type!r}.")
    resolve_crime_type(con, choose_crime_type(con, crime_type))


def check_area(con: duckdb.DuckDBPyConnection, area: str | None) -> None:
    """Refuse an area the warehouse does not know, saying what an area is."""
    if area is not None and not isinstance(area, str):
        raise ValueError(f"expected a district or neighbourhood name or code, not {area!r}.")
    resolve_area(con, area)


def get_series(report: MeasuresReport, months: int | None = CHART_MONTHS) -> list[dict]:
    """The last ``months`` (None: all) of monthly counts with the seasonal expectation, for
    the chart, as the pattern detection computed them."""
    patterns = report.patterns
    if patterns is None or patterns.recorded is None:
        return []
    flagged = {s.exceedance.month for s in patterns.past_spikes + patterns.this_month}
    rows = []
    for m in patterns.recorded.index[-months if months else 0:]:
        expected = None if patterns.expected is None else float(round_half_away(patterns.expected[m], 1))
        rows.append({"month": m.date().isoformat(), "recorded": int(patterns.recorded[m]), "expected": expected,
                     "unusual": m.date() in flagged, "partial": bool(patterns.exposure[m] < 1)})
    return rows


def get_advice(report: MeasuresReport, crime_type_name: str, horizon_days: int = 270) -> list[Advice]:
    """Prevention messages due for the calendar events ahead, aimed at the neighbourhoods
    where crime rose around the same event in past years."""
    start = report.as_of
    upcoming: list[CalendarEvent] = [
        e for e in get_calendar_events(range(start.year, start.year + 2))
        if start <= e.day <= start + timedelta(days=horizon_days)
    ]
    events = {e.event_name: e for e in report.patterns.events} if report.patterns else {}
    advice = []
    for item in _load_advice():
        if item["crime_type"].lower() not in crime_type_name.lower():
            continue
        if item["event"] == "any":
            advice.append(Advice("all year", start, start, item["message"], []))
            continue
        for event in upcoming:
            if event.name != item["event"]:
                continue
            found = events.get(event.name)
            areas = [u.area_name for u in found.neighbourhoods] if found else []
            advice.append(Advice(event.name, event.day - timedelta(days=item["lead_days"]), event.day, item["message"], areas))
    return advice


def describe_series(series: list[dict], label: str) -> str:
    """The chart in one paragraph, for readers who cannot see it: its span, its range, the
    latest month and the months it marks."""
    if not series:
        return f"No monthly series to chart for {label}."
    first, last = series[0], series[-1]
    complete = [row for row in series if not row["partial"]] or series  # a partial month is no low
    low = min(complete, key=lambda row: row["recorded"])
    high = max(complete, key=lambda row: row["recorded"])
    marked = [_month_label(row) for row in series if row["unusual"]]
    latest = f"{last['recorded']:,}" + (" (a partial month)" if last["partial"] else "")
    if last["expected"] is not None:
        latest += f" against {format_count(last['expected'])} expected"
    return (
        f"Chart of {label.lower()} recorded per month from {_month_label(first)} to {_month_label(last)}: "
        f"between {low['recorded']:,} ({_month_label(low)}) and {high['recorded']:,} ({_month_label(high)}); "
        f"{_month_label(last)}: {latest}. "
        + (f"Months marked unusually high for their season: {', '.join(marked)}." if marked
           else "No month is marked unusually high for its season.")
    )


def _month_label(row: dict) -> str:
    return date.fromisoformat(row["month"]).strftime("%B %Y")


def tabulate_series(series: list[dict]) -> list[dict]:
    """The chart's data as a compact table: one row per year and figure, one column per month."""
    years: dict[int, dict[str, list]] = {}
    for row in series:
        day = date.fromisoformat(row["month"])
        year = years.setdefault(day.year, {"recorded": [""] * 12, "expected": [""] * 12})
        year["recorded"][day.month - 1] = f"{row['recorded']:,}" + ("*" if row["unusual"] else "")
        if row["expected"] is not None:
            year["expected"][day.month - 1] = format_count(row["expected"])
    # A year without any expectation (too little history to model) has no "expected" row.
    return [{"year": year, "figure": figure, "cells": cells[figure]}
            for year, cells in years.items() for figure in ("recorded", "expected") if any(cells[figure])]


def get_crime_section(
    con: duckdb.DuckDBPyConnection, month: date,
    crime_type: str | Sequence[str] = PREFERRED_CRIME_TYPES, area: str | None = None, as_of: date | None = None,
) -> CrimeSection:
    """Everything the pack shows for one crime type in one area (None: force-wide), as at
    ``as_of`` (default: the last day the data covers; a later day changes nothing)."""
    data_to = get_last_day_covered(con)
    as_of = None if as_of is None or data_to is None or as_of >= data_to else as_of
    report = compute_measures(con, choose_crime_type(con, crime_type), month, area, as_of)
    return CrimeSection(report, get_series(report), get_advice(report, report.scope.crime_type_label))


def render_crime_section(section: CrimeSection) -> str:
    """The section as HTML: figures, chart (with its description and data), patterns, advice
    and the crime measures' definitions."""
    description = describe_series(section.series, section.report.scope.crime_type_label)
    return render_template(
        "crime/section.html.j2",
        section=section,
        chart_svg=render_chart("crime/monthly_counts", section.series, description),
        chart_description=description,
        chart_table=tabulate_series(section.series),
        month_names=MONTH_ABBREVIATIONS,
        measures=list(get_measures("crime").values()),
    )


KIND = SectionKind(
    name="crime_performance",
    domain="crime",
    description="Every crime measure for one crime type in one area: figures, chart, patterns and advice.",
    needs="recorded crimes (peel demo-data, peel ingest police-uk, or a force extract)",
    get_data_to=get_last_day_covered,
    build=get_crime_section,
    render=render_crime_section,
    parameters=(
        Parameter("crime_type", "a crime type as 'peel measures --crime-type' takes it, e.g. shoplifting, "
                  "or a list of them: the first the data records", list(PREFERRED_CRIME_TYPES), check_crime_type),
        Parameter("area", "a district or neighbourhood name or code; none: force-wide", None, check_area),
    ),
)
