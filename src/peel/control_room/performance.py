"""Control-room performance: the declared measures (``measures.yaml``) for a period and area,
broken down by local hour of day, day, district or month.

``measure_performance`` builds the two views the declared SQL reads (``cr_scoped_call`` and
``cr_scoped_incident``, each with a ``slot`` column holding the breakdown) and runs a measure's
numerator and denominator SQL: the figures' definitions live in the YAML alone. Times become
Europe/London local time here, in SQL, so a day has 23 or 25 hours when the clocks change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from peel.control_room.standards import get_standards
from peel.measures.registry import get_measure
from peel.warehouse.sql import quote_literal

# How each breakdown names a row's slot, from its local time (`local_at`) and district.
BREAKDOWNS = {
    "all": "'all'",
    "hour": "strftime(local_at, '%H')",
    "weekday": "strftime(local_at, '%w %A')",
    "day": "strftime(local_at, '%Y-%m-%d')",
    "month": "strftime(local_at, '%Y-%m')",
    "area": "coalesce(district_code, 'unknown')",
}


@dataclass(frozen=True)
class Performance:
    measure_id: str
    slot: str
    value: float | None  # a share (0..1) for rates, the measure's unit otherwise
    numerator: int | None
    denominator: int | None


def local_instant(day: date) -> datetime:
    """The instant local midnight of ``day`` begins (Europe/London), as an aware datetime."""
    return pd.Timestamp(day, tz=get_standards().time_zone).to_pydatetime()


def scope_performance(con: duckdb.DuckDBPyConnection, start: date, end: date, by: str = "all",
                      district: str | None = None) -> None:
    """(Re)build the views the measures read: contacts and incidents in [start, end) local."""
    if by not in BREAKDOWNS:
        raise ValueError(f"Unknown breakdown '{by}': choose one of {', '.join(BREAKDOWNS)}.")
    tz = quote_literal(get_standards().time_zone)
    bounds = f"BETWEEN {quote_literal(local_instant(start).isoformat())}::TIMESTAMPTZ " \
             f"AND {quote_literal(local_instant(end).isoformat())}::TIMESTAMPTZ - INTERVAL 1 MICROSECOND"
    area = "" if district is None else f" AND district_code = {quote_literal(district)}"
    slot = BREAKDOWNS[by]
    con.register("cr_grade_target", grade_targets())
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW cr_scoped_call AS
        SELECT *, {slot} AS slot FROM (
            SELECT *, timezone({tz}, received_at) AS local_at FROM cr_call
            WHERE received_at {bounds}{area})""")
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW cr_scoped_incident AS
        SELECT *, {slot} AS slot FROM (
            SELECT i.*, timezone({tz}, i.created_at) AS local_at,
                   (epoch_us(i.arrived_at) - epoch_us(i.created_at)) / 60e6 AS minutes,
                   CASE WHEN i.rural THEN g.target_rural_minutes ELSE g.target_urban_minutes END
                       AS target_minutes
            FROM cr_incident i LEFT JOIN cr_grade_target g ON g.grade = i.grade
            WHERE i.created_at {bounds}{area})""")


def grade_targets() -> pd.DataFrame:
    grades = get_standards().grades.values()
    return pd.DataFrame({
        "grade": [g.code for g in grades],
        "target_urban_minutes": pd.array([g.target_urban_minutes for g in grades], dtype="Float64"),
        "target_rural_minutes": pd.array([g.target_rural_minutes for g in grades], dtype="Float64"),
    })


def measure_performance(con: duckdb.DuckDBPyConnection, measure_id: str, start: date, end: date,
                        by: str = "all", district: str | None = None,
                        grade: str = "emergency") -> list[Performance]:
    """One declared measure for [start, end) (local days), a row per slot of the breakdown."""
    if grade not in get_standards().grades:
        raise ValueError(f"Unknown grade '{grade}': the grades are {', '.join(get_standards().grades)}.")
    measure = get_measure(measure_id)
    scope_performance(con, start, end, by, district)
    params = {"grade": grade}

    def run(sql: str) -> dict[str, float]:
        used = {k: v for k, v in params.items() if f"${k}" in sql}
        return {slot: value for slot, value in con.execute(sql, used).fetchall()}

    values = run(measure.sql)
    if not measure.is_rate:
        return [Performance(measure_id, s, v, None, None) for s, v in sorted(values.items())]
    hits = run(measure.numerator_sql)
    return [Performance(measure_id, s, (hits.get(s, 0) / n) if n else None, int(hits.get(s, 0)), int(n))
            for s, n in sorted(values.items())]


def month_performance(con: duckdb.DuckDBPyConnection, month: date, district: str | None = None) -> dict:
    """Every control-room measure for one month, force-wide or for a district, with the same
    month a year earlier: what the pack and the start page show."""
    from peel.measures.periods import get_month_end

    start = month.replace(day=1)
    end = get_month_end(start)
    before = start.replace(year=start.year - 1)
    out = {}
    for measure_id in ("cr_999_answered_in_10s", "cr_101_mean_answer_seconds", "cr_101_abandoned"):
        now = measure_performance(con, measure_id, start, end, district=district)
        then = measure_performance(con, measure_id, before, get_month_end(before), district=district)
        out[measure_id] = (now[0] if now else None, then[0] if then else None)
    for grade, g in get_standards().grades.items():
        if g.target_urban_minutes is None:
            continue
        now = measure_performance(con, "cr_attendance_in_target", start, end, district=district, grade=grade)
        then = measure_performance(con, "cr_attendance_in_target", before, get_month_end(before),
                                   district=district, grade=grade)
        out[f"cr_attendance_in_target:{grade}"] = (now[0] if now else None, then[0] if then else None)
    return out
