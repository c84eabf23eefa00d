"""Clare's Law figures per calendar or financial year, by route, from the declared measures
(``measures.yaml``), and the Home Office annual return in its shape. Aggregates only."""

from __future__ import annotations

import csv
import io
from datetime import date

import duckdb

from peel.dvds.cases import ROUTES
from peel.measures.registry import get_measure
from peel.settings import get_settings

MEASURES = ("dvds_requests", "dvds_cases", "dvds_disclosures", "dvds_within_28_days")
# The Home Office's annual DVDS data collection, one row per force and financial year.
RETURN_COLUMNS = ("Force", "Financial year", "Right to ask applications", "Right to ask disclosures",
                  "Right to know applications", "Right to know disclosures")


def recognition_started() -> date:
    """The day the force started recognising Right to Know situations from linked data: the
    force setting PEEL_DVDS_RECOGNITION_STARTED, which the before/after figures read."""
    written = get_settings().dvds_recognition_started
    try:
        return date.fromisoformat(written)
    except ValueError:
        raise ValueError(f"PEEL_DVDS_RECOGNITION_STARTED is {written!r}: give the day the force started "
                         "recognising Right to Know situations as YYYY-MM-DD, e.g. 2025-03-01.") from None


def period(year: str) -> tuple[date, date, str]:
    """'2024' (calendar year) or '2024/25' (financial year, April to March) -> (start, end, label)."""
    if "/" in year:
        first = int(year.split("/")[0])
        return date(first, 4, 1), date(first + 1, 4, 1), f"financial year {first}/{(first + 1) % 100:02d}"
    return date(int(year), 1, 1), date(int(year) + 1, 1, 1), f"calendar year {year}"


def measure(con: duckdb.DuckDBPyConnection, measure_id: str, route: str, start: date, end: date) -> dict:
    """One declared measure for a route and period: the count, or numerator, denominator and rate."""
    declared = get_measure(measure_id)
    params = {"route": route, "start": start, "end": end}
    count = con.execute(declared.sql, params).fetchone()[0]
    if not declared.is_rate:
        return {"value": count}
    numerator = con.execute(declared.numerator_sql, params).fetchone()[0]
    return {"value": round(100 * numerator / count, 1) if count else None, "numerator": numerator,
            "denominator": count}


def figures(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, dict[str, dict]]:
    """Every measure for every route over [start, end): route -> measure id -> figure."""
    return {route: {m: measure(con, m, route, start, end) for m in MEASURES} for route in ROUTES}


def annual_return(con: duckdb.DuckDBPyConnection, force: str, first_year: int) -> str:
    """The Home Office return for the financial year starting in April ``first_year``, as CSV."""
    start, end, _ = period(f"{first_year}/{(first_year + 1) % 100:02d}")
    counts = figures(con, start, end)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RETURN_COLUMNS)
    writer.writerow([force, f"{first_year}/{(first_year + 1) % 100:02d}",
                     *(counts[r][m]["value"] for r in ROUTES for m in ("dvds_requests", "dvds_disclosures"))])
    return out.getvalue()
