"""Warehouse commands: status of what is loaded, and the quarantine.

Only typer and rich are imported here; each command imports what it runs, so that ``peel``
starts quickly whatever the command.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from peel.console import Console, error_line  # reads no markup; escapes control characters

if TYPE_CHECKING:
    import duckdb

# The tables 'peel status' counts: what the loads write, and what they refuse.
TABLES = (
    "crime",
    "outcome",
    "arrest",
    "area",
    "person_record",
    "event",
    "object",
    "pole_link",
    "quarantine",
)


def register(app: typer.Typer) -> None:
    app.command("status")(status)
    app.command("quarantine")(quarantine)


def status() -> None:
    """Show what the warehouse holds: batches, rows per table, the data snapshot; and warn of
    any of peel's files (warehouse, casebook, keys) readable beyond their owner."""
    from peel.private import exposed, holdings
    from peel.warehouse.database import get_last_day_covered, snapshot

    console = Console()
    for exposure in exposed(holdings()):
        Console(stderr=True).print(error_line(
            f"{exposure.describe()}, but it may hold personal data. Close it: chmod go-rwx "
            f"'{exposure.path}' (or set PEEL_FILE_GROUP to the group allowed to read it).", "Warning: ", "yellow"))
    with open_warehouse(read_only=True) as con:
        batches = con.execute(
            """SELECT batch_id, source_system, finished_at, rows_read, rows_loaded, rows_quarantined
               FROM ingest_batch ORDER BY batch_id DESC LIMIT 20"""
        ).fetchall()
        counts = {
            name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in TABLES
        }
        snap = snapshot(con)
        last_day = get_last_day_covered(con)
    table = Table("batch", "source", "finished", "read", "loaded", "quarantined")
    for row in batches:
        table.add_row(*[str(v) for v in row])
    console.print(table)
    for name, n in counts.items():
        console.print(f"{name}: {n:,} rows")
    console.print(
        f"Snapshot: crimes to {last_day or 'none'}; {snap['batches']} loads, latest batch "
        f"{snap['latest_batch']} at {snap['loaded_at']}; sources: {snap['sources'] or 'none'}; "
        f"warehouse generation {snap['generation']}, published {snap['published_at']}"
    )


def quarantine(
    batch: int = typer.Option(None, help="Only this batch."),
    limit: int = typer.Option(50, min=1, help="How many rows to show (1 or more)."),
) -> None:
    """List rows that loads could not accept, latest load first, with file, line and reason."""
    where, params = ("WHERE batch_id = ?", [batch]) if batch is not None else ("", [])
    with open_warehouse(read_only=True) as con:
        rows = con.execute(
            f"SELECT batch_id, file, line, reason FROM quarantine {where} "
            "ORDER BY batch_id DESC, file, line LIMIT ?",
            params + [limit],
        ).fetchall()
    table = Table("batch", "file", "line", "reason")
    for row in rows:
        table.add_row(*[str(v) for v in row])
    Console().print(table if rows else "No quarantined rows.")


def open_warehouse(read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for a command, or say why it cannot and exit (code 2): none loaded
    yet (read-only, so that looking never creates an empty one), another process holds it, or
    a schema file applied to it has changed."""
    from peel.warehouse.database import WarehouseError, connect

    try:
        return connect(read_only=read_only)
    except (FileNotFoundError, WarehouseError) as error:
        _refuse(error)


@contextlib.contextmanager
def open_warehouse_writer() -> Iterator[duckdb.DuckDBPyConnection]:
    """Write a load as a new generation of the warehouse, published when the block ends
    without an error (readers, the web app among them, go on reading meanwhile); or say why
    it cannot start and exit (code 2): another load is writing, or a schema file changed."""
    from peel.warehouse.database import WarehouseError
    from peel.warehouse.generations import open_writer

    with contextlib.ExitStack() as stack:
        try:
            con = stack.enter_context(open_writer())
        except WarehouseError as error:
            _refuse(error)
        yield con


def _refuse(error: Exception) -> None:
    Console(stderr=True).print(error_line(error))
    raise typer.Exit(2) from None
