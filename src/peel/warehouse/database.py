"""Connections to the warehouse, its migrations, and ingest batches.

Every row written to the warehouse belongs to an ingest batch. A batch is one transaction:
``open_batch`` commits the batch's rows and its ``ingest_batch`` record together, or on any
error rolls everything back so the warehouse is exactly as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import duckdb

from peel.private import close_at_rest
from peel.warehouse.generations import (
    NO_WAREHOUSE,
    close_idle_snapshots,
    get_current_file,
    get_generation,
    get_name,
    open_current,
    remember,
)

# The schema files, applied in name order. Tests point this at a copy.
SCHEMA_DIR: Traversable = resources.files("peel.warehouse") / "schema"


class WarehouseError(duckdb.Error):
    """The warehouse cannot be used as it is; the message says why and what to do.

    A ``duckdb.Error``, so handlers of DuckDB's own errors still catch it and print it.
    """


class WarehouseBusy(WarehouseError, duckdb.IOException):
    """Another process holds the warehouse open: DuckDB lets one process at a time write to it."""


class SchemaFileChanged(WarehouseError):
    """A schema file applied to this warehouse has changed, or gone, since it was applied."""


@dataclass(frozen=True)
class SchemaFile:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the file's text (read with line endings as \\n, so a checkout's are no change)."""
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def schema_files(folder: Traversable | Path | None = None) -> list[SchemaFile]:
    """The schema files of ``folder`` (default ``SCHEMA_DIR``), in the order they apply."""
    folder = folder if folder is not None else SCHEMA_DIR
    paths = sorted((p for p in folder.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name)
    return [SchemaFile(p.name, p.read_text(encoding="utf-8")) for p in paths]


def migrate(con: duckdb.DuckDBPyConnection, folder: Traversable | Path | None = None) -> list[str]:
    """Apply every schema file of ``folder`` not yet applied; return the names applied now.

    Refuses (``SchemaFileChanged``) before applying anything when a file already applied has
    changed or gone since. A warehouse made before checksums were kept has them recorded
    from the files as they are now.
    """
    files = schema_files(folder)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE TABLE IF NOT EXISTS schema_migration "
                    "(name VARCHAR PRIMARY KEY, applied_at TIMESTAMP, checksum VARCHAR)")
        con.execute("ALTER TABLE schema_migration ADD COLUMN IF NOT EXISTS checksum VARCHAR")
        con.executemany("UPDATE schema_migration SET checksum = ? WHERE name = ? AND checksum IS NULL",
                        [[f.checksum, f.name] for f in files])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    done = check_applied(con, folder)
    applied = []
    for file in files:
        if file.name in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(file.sql)
            con.execute("INSERT INTO schema_migration VALUES (?, ?, ?)",
                        [file.name, datetime.now(UTC), file.checksum])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(file.name)
    return applied


def check_applied(con: duckdb.DuckDBPyConnection, folder: Traversable | Path | None = None) -> set[str]:
    """Return the names of the schema files applied to the warehouse, after checking that each
    is still in ``folder`` and unchanged (one recorded without a checksum is not compared)."""
    folder = folder if folder is not None else SCHEMA_DIR
    files = schema_files(folder)
    current = {f.name: f.checksum for f in files}
    recorded = dict(con.execute("SELECT name, checksum FROM schema_migration").fetchall())
    warehouse = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()[0][0]
    for name, checksum in sorted(recorded.items()):
        if name not in current:
            raise SchemaFileChanged(
                f"The warehouse {warehouse} was built with the schema file {name}, which is not in "
                f"{folder} any more. Restore the file; if a newer peel made this warehouse, use "
                "that version of peel.")
        if checksum is not None and checksum != current[name]:
            raise SchemaFileChanged(
                f"The schema file {folder / name} has changed since it was applied to the "
                f"warehouse {warehouse}. A schema file once applied must stay as it is: restore "
                f"it (e.g. 'git checkout -- {name}' in {folder}) and put the change in a new "
                f"file numbered after the last one, such as {next_file_name(files)}.")
    return set(recorded)


def next_file_name(files: list[SchemaFile]) -> str:
    """A name for the next schema file: ten after the last number (050 after 040)."""
    numbers = [int(m[1]) for f in files if (m := re.match(r"(\d+)_", f.name))]
    return f"{max(numbers, default=0) + 10:03d}_what_it_changes.sql"


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (``PEEL_HOME/warehouse.duckdb`` by default), migrated to the latest schema.

    Read-only, it is the generation published last (``peel.warehouse.generations``), which no
    load writes. To write, it is that file in place: for scripts and tests, since it waits
    for no reader; loads run by peel's commands write a new generation (``open_writer``).

    Raises ``FileNotFoundError`` when a read-only warehouse does not exist yet,
    ``WarehouseBusy`` when another process holds it, and ``SchemaFileChanged`` when a schema
    file applied to it has changed since.
    """
    name = get_name(path)
    if read_only and get_current_file(name) is None:
        raise FileNotFoundError(NO_WAREHOUSE.format(name))
    if not read_only:
        close_at_rest()  # the warehouse holds person records: owner-only (or the set group)
        name.parent.mkdir(parents=True, exist_ok=True)
        if (current := get_current_file(name)) is not None:
            close_idle_snapshots(current)
    con = open_current(name, read_only=read_only)[1]
    try:
        if not read_only:
            migrate(con)
        else:
            check_schema(con)
    except BaseException:
        con.close()
        raise
    return con


def check_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse a warehouse opened read-only whose applied schema files have changed since (one
    made before checksums were kept has them recorded when it is next opened to write)."""
    if _has_checksums(con):
        check_applied(con)


def _has_checksums(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
        "AND table_name = 'schema_migration' AND column_name = 'checksum'").fetchall()[0][0] > 0


def open_file(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open one warehouse file, saying which process holds it when another does."""
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.ConnectionException as error:
        if "different configuration" not in str(error):
            raise
        raise WarehouseBusy(
            f"The warehouse {path} is open {'to write' if read_only else 'for reading'} in this "
            f"process, so it cannot be opened {'read-only' if read_only else 'to write'} too. "
            "Close the other connection first; to write while this process reads (a web "
            "server), use peel.warehouse.open_writer."
        ) from error
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
    return remember(con, "last_day_covered", (), lambda: con.execute(
        "SELECT max(coalesce(recorded_date, last_day(month))) FROM crime").fetchone()[0])


def snapshot(con: duckdb.DuckDBPyConnection) -> dict:
    """Describe the data a figure came from: the latest batch and when it was loaded, and
    the warehouse generation read and when it was published (see ``generations``).

    The pack, every export and every web page print this so that a figure can be traced to
    its data. Worked out once per generation for connections from ``open_snapshot``.
    """
    return dict(remember(con, "snapshot", (), lambda: _describe(con)))


def _describe(con: duckdb.DuckDBPyConnection) -> dict:
    row = con.execute(
        """SELECT count(*), max(batch_id), max(finished_at),
                  string_agg(DISTINCT source_system, ', ' ORDER BY source_system)
           FROM ingest_batch"""
    ).fetchone()
    file = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    published = None
    if file:
        with contextlib.suppress(FileNotFoundError):  # removed since: readers keep reading it
            published = datetime.fromtimestamp(Path(file).stat().st_mtime, UTC)
    return {
        "batches": row[0],
        "latest_batch": row[1],
        "loaded_at": row[2].isoformat(timespec="seconds") if row[2] else None,
        "sources": row[3] or "",
        "generation": get_generation(file) if file else None,
        "published_at": published.isoformat(timespec="seconds") if published else None,
    }


def get_force_name(con: duckdb.DuckDBPyConnection) -> str | None:
    """The force's name (the first by code, should the data hold more), or None without areas."""
    row = remember(con, "force_name", (), lambda: con.execute(
        "SELECT area_name FROM area WHERE level = 'force' ORDER BY area_code LIMIT 1").fetchone())
    return row[0] if row else None
