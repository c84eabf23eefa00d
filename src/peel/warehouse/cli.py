"""Warehouse commands: status of what is loaded, and the quarantine."""

from __future__ import annotations

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from peel.warehouse.database import WarehouseBusy, connect, get_last_day_covered, snapshot


def register(app: typer.Typer) -> None:
    app.command("status")(status)
    app.command("quarantine")(quarantine)


def status() -> None:
    """Show what the warehouse holds: batches, rows per table, the data snapshot."""
    con = open_warehouse()
    console = Console()
    table = Table("batch", "source", "finished", "read", "loaded", "quarantined")
    for row in con.execute(
        """SELECT batch_id, source_system, finished_at, rows_read, rows_loaded, rows_quarantined
           FROM ingest_batch ORDER BY batch_id DESC LIMIT 20"""
    ).fetchall():
        table.add_row(*[str(v) for v in row])
    console.print(table)
    for name in ("crime", "outcome", "arrest", "area", "person_record", "quarantine"):
        n = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        console.print(f"{name}: {n:,} rows")
    snap = snapshot(con)
    last_day = get_last_day_covered(con)
    console.print(
        f"Snapshot: crimes to {last_day or 'none'}; {snap['batches']} loads, latest batch "
        f"{snap['latest_batch']} at {snap['loaded_at']}; sources: {snap['sources'] or 'none'}"
    )


def quarantine(
    batch: int = typer.Option(None, help="Only this batch."),
    limit: int = typer.Option(50, help="How many rows to show."),
) -> None:
    """List rows that a load could not accept, with file, line and reason."""
    con = open_warehouse()
    where, params = ("WHERE batch_id = ?", [batch]) if batch is not None else ("", [])
    rows = con.execute(
        f"SELECT batch_id, file, line, reason FROM quarantine {where} ORDER BY batch_id, file, line LIMIT ?",
        params + [limit],
    ).fetchall()
    table = Table("batch", "file", "line", "reason")
    for row in rows:
        table.add_row(*[str(v) for v in row])
    Console().print(table if rows else "No quarantined rows.")


def open_warehouse() -> duckdb.DuckDBPyConnection:
    """Open the warehouse for a command, or say why it cannot and exit (code 2): another
    process holds it."""
    try:
        return connect()
    except WarehouseBusy as error:
        Console(stderr=True).print(f"[red]Error:[/red] {error}", highlight=False)
        raise typer.Exit(2) from None
