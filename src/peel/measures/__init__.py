"""Measures: every KPI declared once (definitions.yaml) and computed for any crime type,
area and month, with the statistics they share (change tests, seasonality, calendar
attribution, step changes)."""

from peel.measures.compute import Figure, MeasuresReport, compute_measures, get_data_as_of
from peel.measures.periods import parse_month
from peel.measures.registry import Measure, get_measure, get_measures, render_measures_markdown

__all__ = [
    "Figure",
    "Measure",
    "MeasuresReport",
    "compute_measures",
    "get_data_as_of",
    "get_measure",
    "get_measures",
    "parse_month",
    "render_measures_markdown",
]
