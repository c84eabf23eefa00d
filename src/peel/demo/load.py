"""Writing the demo force into the warehouse: one batch per source system, replacing the
previous demo rows in the same transaction, so a rerun never duplicates and a failed load
leaves the warehouse as it was."""

from __future__ import annotations

import duckdb
import pandas as pd

from peel.demo.crimes import CUSTODY_SOURCE_SYSTEM, CrimeData
from peel.demo.force import SOURCE_SYSTEM
from peel.demo.shapes import draw_area_shapes
from peel.sources.outcomes import sync_outcome_mapping
from peel.warehouse import open_batch
from peel.warehouse.sql import quote_identifier


def load_crime_records(
    con: duckdb.DuckDBPyConnection, areas: pd.DataFrame, data: CrimeData
) -> dict[str, int]:
    """Replace the demo crime-records system's areas (and their made-up shapes), crimes and
    outcomes; return rows per table."""
    with open_batch(con, SOURCE_SYSTEM) as batch:
        sync_outcome_mapping(con)
        for table in ("outcome", "crime", "area_shape", "area"):
            con.execute(
                f"DELETE FROM {quote_identifier(table)} WHERE source_system = ?", [SOURCE_SYSTEM]
            )
        counts = {
            "area": _insert(con, "area", areas, batch.batch_id),
            "area_shape": _insert(con, "area_shape", draw_area_shapes(areas), batch.batch_id),
            "crime": _insert(con, "crime", data.crimes, batch.batch_id),
            "outcome": _insert(con, "outcome", data.outcomes, batch.batch_id),
        }
        batch.rows_read = batch.rows_loaded = sum(counts.values())
        batch.note = "generated demo force: " + ", ".join(f"{n:,} {t}" for t, n in counts.items())
    return counts


def load_custody(con: duckdb.DuckDBPyConnection, data: CrimeData) -> dict[str, int]:
    """Replace the demo custody system's arrests; return rows per table."""
    with open_batch(con, CUSTODY_SOURCE_SYSTEM) as batch:
        con.execute("DELETE FROM arrest WHERE source_system = ?", [CUSTODY_SOURCE_SYSTEM])
        counts = {"arrest": _insert(con, "arrest", data.arrests, batch.batch_id)}
        batch.rows_read = batch.rows_loaded = counts["arrest"]
        batch.note = f"generated demo force: {counts['arrest']:,} arrest"
    return counts


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, batch_id: int) -> int:
    # Bulk insert through DuckDB's DataFrame scan: one statement, no row loop.
    columns = ", ".join(quote_identifier(c) for c in frame.columns)
    con.register("_peel_demo_frame", frame)
    try:
        con.execute(
            f"INSERT INTO {quote_identifier(table)} ({columns}, batch_id) "
            f"SELECT {columns}, ? FROM _peel_demo_frame",
            [batch_id],
        )
    finally:
        con.unregister("_peel_demo_frame")
    return len(frame)
