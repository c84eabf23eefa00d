"""Measures: every KPI declared once (definitions.yaml) and computed for any crime type,
area and month, with the statistics they share (change tests, seasonality, calendar
attribution, step changes).

The computation lives in ``peel.measures.compute`` (``compute_measures``); it is not imported
here because it loads scipy and statsmodels, about a second, which every ``peel`` command
would otherwise pay at start-up.
"""

from peel.measures.periods import parse_month
from peel.measures.registry import Measure, get_measure, get_measures, render_measures_markdown

__all__ = [
    "Measure",
    "get_measure",
    "get_measures",
    "parse_month",
    "render_measures_markdown",
]
