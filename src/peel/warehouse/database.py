"""Connections to the warehouse, its migrations, and ingest batches.

Every row written to the warehouse belongs to an ingest batch. A batch is one transaction:
``open_batch`` commits the batch's rows and its ``ingest_batch`` record together, or on any
error rolls everything back so the warehouse is exactly as it was.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb

from peel.settings import get_settings


def _schema_files() -> list[tuple[str, str]]:
    folder = resources.files("peel.warehouse") / "schema"
    files = sorted(p for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every schema file not yet applied; return the names applied now."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migration (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)"
    )
    done = {row[0] for row in con.execute("SELECT name FROM schema_migration").fetchall()}
    applied = []
    for name, sql in _schema_files():
        if name in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_migration VALUES (?, ?)", [name, datetime.now(UTC)]
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


class WarehouseBusy(duckdb.IOException):
    """Another process holds the warehouse open: DuckDB lets one process at a time write to it.

    A ``duckdb.Error`` like the error it replaces, so handlers of those still catch it; its
    message says what to do, for a command to print as it is.
    """


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (``PEEL_HOME/warehouse.duckdb`` by default), migrated to the latest schema.

    Raises ``FileNotFoundError`` when a read-only warehouse does not exist yet, and
    ``WarehouseBusy`` when another process holds it.
    """
    path = Path(path) if path is not None else get_settings().warehouse_path
    if read_only:
        if not path.exists():
            raise FileNotFoundError(
                f"No warehouse at {path}. Load data first: 'peel demo-data' or 'peel ingest police-uk PATH'."
            )
        return _open(path, read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, read_only=False)
    migrate(con)
    return con


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        if "Conflicting lock" not in str(error):
            raise
        pid = re.search(r"PID (\d+)", str(error))
        raise WarehouseBusy(
            f"The warehouse {path} is in use by another process{f' (PID {pid[1]})' if pid else ''}: "
            "a peel command still running, or a program holding it open. Let it finish or close "
            "it, then try again."
        ) from error


@dataclass
class Batch:
    """An open ingest batch: its id goes on every row it writes (provenance)."""

    con: duckdb.DuckDBPyConnection
    batch_id: int
    source_system: str
    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    note: str | None = None


@contextlib.contextmanager
def open_batch(
    con: duckdb.DuckDBPyConnection, source_system: str, files: list[str] | None = None
) -> Iterator[Batch]:
    """Run a load as one transaction recorded in ``ingest_batch``.

    On success the rows and the batch record commit together. On any exception the
    transaction rolls back, the warehouse is unchanged, and the exception propagates.
    """
    batch_id = con.execute("SELECT nextval('ingest_batch_seq')").fetchone()[0]
    batch = Batch(con=con, batch_id=batch_id, source_system=source_system, files=list(files or []))
    started = datetime.now(UTC)
    con.execute("BEGIN TRANSACTION")
    try:
        yield batch
        con.execute(
            """INSERT INTO ingest_batch (batch_id, source_system, started_at, finished_at,
                   files, rows_read, rows_loaded, rows_quarantined, note)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                batch.batch_id,
                source_system,
                started,
                datetime.now(UTC),
                batch.files,
                batch.rows_read,
                batch.rows_loaded,
                batch.rows_quarantined,
                batch.note,
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


# A file's own name, without the folder or zip it was loaded from: the same file either way.
BASE_NAME_SQL = "regexp_extract({0}, '[^/\\\\:]+$')"


def clear_quarantine(
    con: duckdb.DuckDBPyConnection, source_system: str, files: list[str] | None = None
) -> None:
    """Remove the quarantine rows earlier loads of ``files`` wrote (matched on each file's own
    name), or with no ``files`` every row of the source: a reload's refused rows replace them."""
    if files is None:
        con.execute("DELETE FROM quarantine WHERE source_system = ?", [source_system])
        return
    con.execute(
        f"""DELETE FROM quarantine WHERE source_system = ?
            AND {BASE_NAME_SQL.format("file")} IN (
                SELECT {BASE_NAME_SQL.format("name")} FROM unnest(?) AS given(name))""",
        [source_system, files],
    )


def get_last_day_covered(con: duckdb.DuckDBPyConnection):
    """The last day the warehouse has crimes for (a month-only source covers its whole month);
    None when it has none. This is the data's snapshot date: nothing later is known."""
    return con.execute("SELECT max(coalesce(recorded_date, last_day(month))) FROM crime").fetchone()[0]


def snapshot(con: duckdb.DuckDBPyConnection) -> dict:
    """Describe the data a figure came from: the latest batch, and when it was loaded.

    The pack and every export print this so that a figure can be traced to its data.
    """
    row = con.execute(
        """SELECT count(*), max(batch_id), max(finished_at),
                  string_agg(DISTINCT source_system, ', ' ORDER BY source_system)
           FROM ingest_batch"""
    ).fetchone()
    return {
        "batches": row[0],
        "latest_batch": row[1],
        "loaded_at": row[2].isoformat(timespec="seconds") if row[2] else None,
        "sources": row[3] or "",
    }


def get_force_name(con: duckdb.DuckDBPyConnection) -> str | None:
    """The force's name (the first by code, should the data hold more), or None without areas."""
    row = con.execute("SELECT area_name FROM area WHERE level = 'force' ORDER BY area_code LIMIT 1").fetchone()
    return row[0] if row else None
