"""The ``peel ingest`` commands: load external data into the warehouse.

Only typer and rich are imported here; each command imports what it runs, so that ``peel``
starts quickly whatever the command.
"""

from __future__ import annotations

from pathlib import Path

import typer

from peel.casebook.cli import ACTING, refusals_exit
from peel.console import (  # reads no markup; escapes control characters
    Console,
    error_line,
    make_progress,
)

ingest_app = typer.Typer(help="Load external data into the warehouse.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(ingest_app, name="ingest")


@ingest_app.command("police-uk")
def police_uk(
    paths: list[Path] = typer.Argument(
        ..., help="police.uk CSV files, folders of monthly CSVs, or the zip the site serves."
    ),
    strict: bool = typer.Option(
        False,
        "--strict",
        help="Fail the whole load if any row fails a check (default: quarantine it).",
    ),
) -> None:
    """Load data.police.uk street and outcomes files (any force) into the warehouse.

    Reloading the same files changes nothing; a later outcomes file for a month replaces the
    outcomes that month's file loaded before. Rows that fail a check go to the quarantine
    ('peel quarantine'); stop-and-search files are skipped.
    """
    import duckdb

    from peel.sources.police_uk import MAX_REPORTED, IngestError, ingest_police_uk
    from peel.sources.scratch import sigterm_as_exit
    from peel.warehouse import WarehouseError, open_writer

    console = Console(stderr=True)
    try:
        with sigterm_as_exit(), open_writer() as con, make_progress(console) as bar:
            task = bar.add_task("police.uk", total=None)

            def show(done: int, total: int, name: str) -> None:
                bar.update(task, completed=done, total=total, description=f"police.uk {Path(name).name}")

            result = ingest_police_uk(con, paths, strict=strict, progress=show)
    except (IngestError, WarehouseError) as error:
        _fail(console, "police-uk", str(error))
    except duckdb.Error as error:
        _fail(
            console,
            "police-uk",
            f"The load failed and nothing was written: {error}. "
            "If the message names a file, check or download it again; otherwise report it.",
        )

    out = Console()
    for note in result.notes:
        out.print(error_line(note, "note: ", "dim"))
    for problem in result.problems[:MAX_REPORTED]:
        out.print(error_line(problem, "check: ", "yellow"))
    out.print(
        f"Loaded batch {result.batch_id}: {len(result.files)} files, {result.rows_read:,} rows read, "
        f"{result.rows_loaded:,} loaded, {result.rows_quarantined:,} quarantined, "
        f"{result.rows_flagged:,} flagged."
        + (f" See 'peel quarantine --batch {result.batch_id}'." if result.rows_quarantined else "")
    )


@ingest_app.command("mapped")
@refusals_exit
def mapped(
    file: Path = typer.Argument(
        ..., help="The extract: a CSV file (header on line 1) or a Parquet file."
    ),
    mapping: Path = typer.Option(
        ..., "--mapping", "-m", help="The YAML column mapping of its source system."
    ),
    snapshot: bool = typer.Option(
        False,
        "--snapshot",
        help="The file holds everything the system has: first remove this source's earlier records.",
    ),
    purpose: str = typer.Option(None, "--purpose", help="Why these records are collected (logged)."),
    acting: str = ACTING,
) -> None:
    """Load a force's person extract (CSV or Parquet) through its YAML column mapping.

    The mapping names the columns for each person_record field, the date formats and the
    source system (docs/ingest.md, "The mapping language"; examples in
    peel/sources/mappings/). The load is one batch: all of it or none. Rows that cannot be
    read go to the quarantine with their line and reason ('peel quarantine'); loading the
    same records again replaces them.

    A collection of personal data: needs a user signed in ('peel login') whose role may collect
    person records (a service account for scripted loads) and a --purpose; both are logged.
    """
    import duckdb

    from peel.sources.mapped import MappingError, collect_mapped
    from peel.warehouse import WarehouseError

    console = Console(stderr=True)
    try:
        with make_progress(console) as bar:
            bar.add_task(f"Loading {file.name} through {mapping.name}", total=None)
            result = collect_mapped(file, mapping, acting=acting, purpose=purpose, snapshot=snapshot)
    except (MappingError, WarehouseError) as error:
        _fail(console, "mapped", str(error))
    except duckdb.Error as error:
        _fail(console, "mapped", f"nothing was written: {error}")
    Console().print(
        f"Loaded batch {result['batch_id']} ({result['source_system']}): {result['rows_read']:,} rows read, "
        f"{result['rows_loaded']:,} loaded, {result['rows_quarantined']:,} quarantined; "
        f"{result['events']:,} events, {result['objects']:,} vehicles, {result['links']:,} links."
        + (
            f" See 'peel quarantine --batch {result['batch_id']}'."
            if result["rows_quarantined"]
            else ""
        )
    )


def _fail(console: Console, command: str, message: str) -> None:
    console.print(error_line(message, f"peel ingest {command} failed: "))
    raise typer.Exit(code=1)
