"""Hourly demand series: contacts per channel and incidents per grade, per clock hour.

A series is keyed by the hour's start as a UTC instant, never by local clock time: when the
clocks go back, 01:00-02:00 happens twice in Europe/London and stays two hours (01:00 BST and
01:00 GMT); when they go forward, 01:00-02:00 does not exist and no hour is made up for it.
``local_hours`` gives each hour its local label for people to read.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from peel.control_room.performance import local_instant
from peel.control_room.standards import get_standards

# What a series counts: (table, time column, the column naming the series).
SERIES = {
    "channel": ("cr_call", "received_at", "channel"),
    "grade": ("cr_incident", "created_at", "grade"),
}


def local_hours(start: date, end: date) -> pd.DataFrame:
    """Every hour in [start, end) local days: ``ds`` (UTC start, naive), ``local`` (local start,
    aware) and ``label`` ('2025-10-26 01:00 GMT'), in time order."""
    tz = get_standards().time_zone
    local = pd.date_range(local_instant(start), local_instant(end), freq="h", inclusive="left", tz=tz)
    return pd.DataFrame({
        "ds": local.tz_convert("UTC").tz_localize(None),
        "local": local,
        "label": local.strftime("%Y-%m-%d %H:%M %Z"),
    })


def hourly_demand(con: duckdb.DuckDBPyConnection, start: date, end: date, kind: str = "channel",
                  by_district: bool = False) -> pd.DataFrame:
    """Counts per hour in [start, end) as statsforecast expects them: ``unique_id`` (e.g. '999',
    or '999|X07000003' by district), ``ds`` (UTC hour start, naive) and ``y``, with a zero for
    every hour a series had nothing."""
    if kind not in SERIES:
        raise ValueError(f"Unknown series kind '{kind}': choose one of {', '.join(SERIES)}.")
    table, at, name = SERIES[kind]
    key = f"{name} || '|' || coalesce(district_code, 'unknown')" if by_district else name
    counts = con.execute(
        f"SELECT {key} AS unique_id, date_trunc('hour', timezone('UTC', {at})) AS ds,"
        f" count(*) AS y FROM {table} WHERE {at} >= ? AND {at} < ? GROUP BY ALL",
        [local_instant(start), local_instant(end)],
    ).df()
    hours = local_hours(start, end)[["ds"]]
    ids = sorted(counts["unique_id"].unique())
    if not ids:
        return pd.DataFrame({"unique_id": pd.Series(dtype=str), "ds": pd.Series(dtype="datetime64[ns]"),
                             "y": pd.Series(dtype=float)})
    counts["ds"] = pd.to_datetime(counts["ds"])
    grid = pd.MultiIndex.from_product([ids, hours["ds"]], names=["unique_id", "ds"]).to_frame(index=False)
    out = grid.merge(counts, on=["unique_id", "ds"], how="left")
    out["y"] = out["y"].fillna(0).astype(float)
    return out
