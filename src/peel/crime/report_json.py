"""A measures report as JSON: everything the table, the chart and the pattern list show.

``peel measures --format json`` prints ``report_to_dict``; its shape is the JSON Schema
``measures.schema.json`` beside this file (documented in docs/crime.md, and a test checks
every report against it). Each figure carries its numbers and the texts the table prints
(rounded by ``peel.measures.rounding``), so a reader of the JSON sees what a reader of the
table sees; the monthly series, the places the crimes are, and every test behind the
patterns (observed, expected, z, p) are there too.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peel.crime.compute import MeasuresReport
    from peel.crime.figure import Figure
    from peel.crime.patterns import PatternReport, Spike

SCHEMA_FILE = "measures.schema.json"


@cache
def load_schema() -> dict:
    return json.loads((resources.files("peel.crime") / SCHEMA_FILE).read_text(encoding="utf-8"))


def report_to_dict(report: MeasuresReport) -> dict:
    from peel.crime.section import get_series  # the chart's rows, every month of them

    return {
        "crime_type": report.scope.crime_type_label,
        "area": report.scope.area_name,
        "area_code": report.scope.area_code,
        "area_level": report.scope.area_level,
        "month": report.month.isoformat()[:7],
        "as_of": report.as_of.isoformat(),
        "figures": [figure_to_dict(f) for f in report.figures],
        "notes": report.notes,
        "places": [asdict(p) for p in report.places],
        "months": get_series(report, months=None),
        "patterns": patterns_to_dict(report.patterns),
    }


def figure_to_dict(figure: Figure) -> dict:
    return asdict(figure) | {"partial": figure.partial, "value_text": figure.as_text(),
                             "comparison_text": figure.comparison_text(), "change_text": figure.change_text(),
                             "coverage_text": figure.coverage_text()}


def patterns_to_dict(patterns: PatternReport | None) -> dict | None:
    if patterns is None:
        return None
    step = patterns.step
    return {
        "summary": patterns.summary,
        "not_run": patterns.not_run,
        "areas_tested": patterns.areas_tested,
        "this_month": [_spike(s) for s in patterns.this_month],
        "past_spikes": [_spike(s) for s in patterns.past_spikes],
        "step": None if step is None else {"month": step.month.isoformat(), "percent": step.percent,
                                           "p_value": step.p_value, "p_value_is_upper_bound": step.p_is_bound,
                                           "earliest": step.earliest.isoformat(), "latest": step.latest.isoformat()},
        "events_not_run": patterns.events_not_run,
        "events": [{
            "event": e.event_name,
            "occurrences": [{"day": o.event.day.isoformat(), "window": [d.isoformat() for d in o.window],
                             "text": o.describe(), "rises": [_uplift(u) for u in o.uplifts]}
                            for o in e.occurrences],
            "neighbourhoods": [_uplift(u) for u in e.neighbourhoods],
            "recurring": [_uplift(u) for u in e.recurring],
        } for e in patterns.events],
    }


def _spike(spike: Spike) -> dict:
    e = spike.exceedance
    return {"text": spike.describe(), "area_code": spike.area_code, "area": spike.area_name,
            "month": e.month.isoformat(), "observed": e.observed, "expected": e.expected, "z": e.z,
            "p_value": e.p_value, "events": [{"event": ev.name, "day": ev.day.isoformat()} for ev in spike.events],
            "hotspots": [asdict(h) for h in spike.hotspots]}


def _uplift(uplift) -> dict:
    return asdict(uplift) | {"percent": uplift.percent}
