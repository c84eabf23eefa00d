"""Results worked out from a published generation, kept on disk beside the warehouse so a
later process reading the same generation finds them instead of working them out again.

A published generation never changes (``generations``), so a result computed from it holds
for as long as that generation is kept. ``keep_derived(con, kind, key, compute)`` keeps
``compute()``'s table in ``<warehouse>.derived.duckdb`` in the warehouse's folder (e.g.
``PEEL_HOME/warehouse.derived.duckdb``), under the generation ``con`` reads and ``key``: a
pack rebuilt from the same generation, as the same day or ``--as-of`` the same day, reads
the same table back; a new load's generation or another key works it out again. It is for
slow results (a simulation that takes minutes), where ``remember`` is for one process's
requests.

The generations themselves stay untouched: a published one is never written after (its
modification time is its publication time, which ``--as-of`` reads), and a reader may read an
old one. Entries of generations that later loads removed are dropped when the next result is
kept. Only connections opened read-only are served from it: a file written in place
(``connect()``) can change under the same name, so there ``compute()`` runs every time.
Tables only, stored as Parquet, which gives a pandas table back column type for column type.
Aggregates only: never personal data, which is read, checked and logged on every use.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from peel.private import close_at_rest

CREATE = """CREATE TABLE IF NOT EXISTS derived (
    kind        VARCHAR NOT NULL,   -- what was worked out, e.g. 'control_room.officers_week'
    generation  VARCHAR NOT NULL,   -- the generation file's name, modification time and size
    key_hash    VARCHAR NOT NULL,   -- SHA-256 of key
    key         VARCHAR NOT NULL,   -- everything besides the data the value depends on, JSON
    value       BLOB NOT NULL,      -- the table, as Parquet
    computed_at TIMESTAMPTZ NOT NULL,
    seconds     DOUBLE NOT NULL     -- how long compute() took
)"""


def get_derived_path(warehouse_file: Path) -> Path:
    """The derived results' file for a warehouse file (a generation or a plain file)."""
    return warehouse_file.with_name(f"{_family(warehouse_file)}.derived.duckdb")


def _family(warehouse_file: Path) -> str:
    """The warehouse's name a file is a generation of: 'warehouse' for warehouse-3.duckdb."""
    return re.sub(r"-\d+$", "", warehouse_file.stem)


def describe_generation(con: duckdb.DuckDBPyConnection) -> tuple[Path, str] | None:
    """The file ``con`` reads and a stamp naming its contents (name, modification time in
    nanoseconds, size); None when ``con`` may write or reads no file."""
    path, read_only = con.execute(
        "SELECT path, readonly FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    if not path or not read_only:
        return None
    file = Path(path)
    try:
        stat = file.stat()
    except FileNotFoundError:  # removed by a later load while this reader still reads it
        return None
    return file, f"{file.name}:{stat.st_mtime_ns}:{stat.st_size}"


def keep_derived(con: duckdb.DuckDBPyConnection, kind: str, key: dict,
                 compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``compute()``'s table, worked out once per generation ``con`` reads and ``key`` (every
    input besides the data: the period, parameters, seed..., JSON-serialisable) and kept on
    disk; on a connection that may write, ``compute()`` every time. When another process has
    the derived file open, the result is worked out without it rather than waiting."""
    generation = describe_generation(con)
    if generation is None:
        return compute()
    file, stamp = generation
    key_text = json.dumps(key, sort_keys=True, default=str)
    key_hash = hashlib.sha256(key_text.encode("utf-8")).hexdigest()
    found = _read(get_derived_path(file), kind, stamp, key_hash)
    if found is not None:
        return found
    started = datetime.now(UTC)
    value = compute()
    seconds = (datetime.now(UTC) - started).total_seconds()
    _write(file, kind, stamp, key_hash, key_text, value, started, seconds)
    return value


def list_derived(warehouse_file: Path) -> list[dict]:
    """What is kept for the warehouse file's family of generations: kind, generation, key
    (parsed), computed_at and seconds, oldest first."""
    path = get_derived_path(warehouse_file)
    if not path.exists():
        return []
    with duckdb.connect(str(path), read_only=True) as db:
        rows = db.execute("SELECT kind, generation, key, computed_at, seconds FROM derived "
                          "ORDER BY computed_at").fetchall()
    return [{"kind": k, "generation": g, "key": json.loads(key), "computed_at": at, "seconds": s}
            for k, g, key, at, s in rows]


def _read(path: Path, kind: str, stamp: str, key_hash: str) -> pd.DataFrame | None:
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as db:
            row = db.execute("SELECT value FROM derived WHERE kind = ? AND generation = ? AND key_hash = ?",
                             [kind, stamp, key_hash]).fetchone()
    except (duckdb.IOException, duckdb.ConnectionException, duckdb.CatalogException):
        return None  # being written by another process (or thread of this one), or still empty
    return None if row is None else pd.read_parquet(io.BytesIO(row[0]))


def _write(file: Path, kind: str, stamp: str, key_hash: str, key_text: str, value: pd.DataFrame,
           computed_at: datetime, seconds: float) -> None:
    buffer = io.BytesIO()
    value.to_parquet(buffer, index=True)
    close_at_rest()  # owner-only (or the set group), as the warehouse is
    kept = {f.name for f in file.parent.glob(f"{_family(file)}*.duckdb")}
    try:
        with duckdb.connect(str(get_derived_path(file))) as db:
            db.execute(CREATE)
            db.execute("BEGIN TRANSACTION")
            db.execute("DELETE FROM derived WHERE kind = ? AND generation = ? AND key_hash = ?",
                       [kind, stamp, key_hash])
            # Generations later loads removed: nobody can read them again.
            db.execute("DELETE FROM derived WHERE split_part(generation, ':', 1) NOT IN (SELECT unnest(?))",
                       [sorted(kept)])
            db.execute("INSERT INTO derived VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [kind, stamp, key_hash, key_text, buffer.getvalue(), computed_at, seconds])
            db.execute("COMMIT")
    except (duckdb.IOException, duckdb.ConnectionException, duckdb.TransactionException):
        pass  # another process or thread has it open, or kept the same value first: returned, not kept
