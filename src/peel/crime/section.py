"""The crime-performance section of the meeting pack (agenda item 1: burglary).

Assembles the declared measures, the monthly series for the chart, the pattern analysis and
the prevention advice timed to the next calendar event, and renders them with
``templates/section.html.j2``. Reads only; computes nothing that is not a declared measure
or a pattern (``compute``, ``patterns``). ``SECTION`` is what the pack's agenda lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from importlib import resources

import duckdb
import yaml

from peel.crime.compute import MeasuresReport, compute_measures
from peel.crime.scope import resolve_crime_type
from peel.measures import get_measures
from peel.measures.calendar import CalendarEvent, get_calendar_events
from peel.render import render_chart, render_template
from peel.section import Section
from peel.warehouse.database import get_last_day_covered

# The meeting note reports residential ("home") burglary; police.uk data has only Burglary.
PREFERRED_CRIME_TYPES = ("residential-burglary", "burglary")
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


def choose_crime_type(con: duckdb.DuckDBPyConnection) -> str:
    """The first of PREFERRED_CRIME_TYPES the data has; else the last, whose absence
    compute_measures then explains."""
    for crime_type in PREFERRED_CRIME_TYPES[:-1]:
        try:
            resolve_crime_type(con, crime_type)
            return crime_type
        except ValueError:
            continue
    return PREFERRED_CRIME_TYPES[-1]


def get_series(report: MeasuresReport) -> list[dict]:
    """The last CHART_MONTHS of monthly counts with the seasonal expectation, for the chart,
    as the pattern detection computed them."""
    patterns = report.patterns
    if patterns is None or patterns.recorded is None:
        return []
    flagged = {s.exceedance.month for s in patterns.past_spikes + patterns.this_month}
    rows = []
    for m in patterns.recorded.index[-CHART_MONTHS:]:
        expected = None if patterns.expected is None else round(float(patterns.expected[m]), 1)
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


def get_crime_section(con: duckdb.DuckDBPyConnection, month: date, crime_type: str | None = None,
                      area: str | None = None) -> CrimeSection:
    """Everything the pack shows for agenda item 1 (and the web app for any crime type and
    area; default: burglary, the force)."""
    report = compute_measures(con, crime_type or choose_crime_type(con), month, area)
    return CrimeSection(report, get_series(report), get_advice(report, report.scope.crime_type_label))


def render_crime_section(section: CrimeSection) -> str:
    """The section as HTML: figures, chart, patterns, advice and the crime measures' definitions."""
    return render_template(
        "crime/section.html.j2",
        section=section,
        chart_svg=render_chart("crime/monthly_counts", section.series),
        measures=list(get_measures("crime").values()),
    )


SECTION = Section(
    domain="crime",
    title="Burglary",
    needs="recorded crimes (peel demo-data, peel ingest police-uk, or a force extract)",
    get_data_to=get_last_day_covered,
    build=get_crime_section,
    render=render_crime_section,
)
