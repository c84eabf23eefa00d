"""Measures, the shared core every agenda item reports through: the registry of declared
measures (each domain's ``measures.yaml``), reporting periods (months, financial years,
rolling 12 months), the statistics figures share (change tests, seasonality, step changes)
and the calendar of events (Diwali, Christmas...). It names no domain: what a domain
computes lives in the domain's folder (crime's in ``peel.crime``).
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
