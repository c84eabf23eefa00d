"""The demo commands: ``peel demo-data`` (the fictional force, loaded), ``peel demo-persons``
(person records at any scale, for linkage benchmarks) and ``peel demo-accounts`` (one web
account per role).

Only typer and rich are imported here; each command imports what it runs, so that ``peel``
starts quickly whatever the command.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from peel.console import (  # reads no markup; escapes control characters
    Console,
    error_line,
    make_progress,
)


def register(app: typer.Typer) -> None:
    app.command("demo-data")(demo_data)
    app.command("demo-persons")(demo_persons)
    app.command("demo-accounts")(demo_accounts)
    app.command("demo-link")(demo_link)


def demo_data(
    size: float = typer.Option(
        1.0, help="Volume scale: 1 is a county force (~8,000 records a month), 0.1 a tenth."
    ),
    start: str = typer.Option("2022-01", help="First month, YYYY-MM."),
    end: str = typer.Option("2026-03", help="Last month, YYYY-MM."),
    seed: int = typer.Option(
        42, help="Random seed: the same seed gives the same force, record for record."
    ),
    as_of: str = typer.Option(
        "2026-03-11",
        help="Extraction date, YYYY-MM-DD: nothing recorded or decided after it exists.",
    ),
    persons: bool = typer.Option(
        True, help="Also generate the persons in these events and their source-system records."
    ),
) -> None:
    """Generate the fictional Chalkshire Constabulary and load it into the warehouse.

    Areas, crimes (anti-social behaviour included), outcomes and arrests, calibrated on a real county force, with planted effects of known size (a Diwali burglary uplift, seasonality, a shoplifting step change). Replaces any previous demo data.

    The ground truth is written to PEEL_HOME/demo/truth/effects.json, never to the warehouse.
    """
    from peel.demo import generate_demo_force
    from peel.demo.pending import move_in, write_apart
    from peel.settings import get_settings
    from peel.sources.scratch import sigterm_as_exit
    from peel.warehouse.cli import open_warehouse_writer

    console = Console()
    demo_dir = get_settings().demo_dir
    try:
        # The warehouse is published, and the files moved in, only when the whole run is done.
        with (
            sigterm_as_exit(),
            open_warehouse_writer() as con,
            make_progress(console, transient=False) as progress,
            write_apart(con, demo_dir) as files,
        ):
            summary = generate_demo_force(
                con,
                size=size,
                start=start,
                end=end,
                seed=seed,
                as_of=as_of,
                progress=progress,
                persons=persons,
                out_dir=files,
            )
        move_in(files, demo_dir)
    except ValueError as error:
        console.print(error_line(error))
        raise typer.Exit(code=2) from error

    table = Table("table", "rows", title="Demo force loaded")
    for name, rows in summary.counts.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(f"Ground truth of the planted effects: {summary.truth_path}")


def demo_persons(
    records: int = typer.Option(1_000_000, help="How many person records to write, in all."),
    seed: int = typer.Option(11, help="Random seed: the same seed gives the same files."),
    out: Path = typer.Option(
        None, help="Folder for extracts/ and truth/ (default: PEEL_HOME/demo-persons)."
    ),
    load: bool = typer.Option(
        False, "--load", help="Also load the extracts into the warehouse (replaces demo persons)."
    ),
) -> None:
    """Write fictional person records at any scale, for linkage benchmarks.

    The same four source-system extracts as the demo force's (crime records, custody,
    intelligence, incidents), with recording errors at declared rates, and the ground truth
    of who each record is, kept apart in truth/. See docs/demo-persons.md.
    """
    from peel.demo.persons import generate_person_population, load_person_extracts
    from peel.settings import get_settings
    from peel.warehouse.cli import open_warehouse_writer

    if records < 1:
        raise typer.BadParameter("give at least one record", param_hint="--records")
    out = out or get_settings().home / "demo-persons"
    console = Console()
    with make_progress(console, transient=False) as progress:
        summary = generate_person_population(records, seed, out, progress=progress)
    by_source = ", ".join(f"{s} {n:,}" for s, n in summary["records_by_source"].items())
    console.print(
        f"Wrote {summary['records']:,} person records ({by_source}) to {out / 'extracts'}"
    )
    console.print(f"Ground truth (never loaded): {out / 'truth'}")
    if load:
        with open_warehouse_writer() as con, make_progress(console, transient=False) as progress:
            loaded = load_person_extracts(con, out, progress=progress)
        rows = sum(r["rows_loaded"] for r in loaded.values())
        quarantined = sum(r["rows_quarantined"] for r in loaded.values())
        console.print(f"Loaded {rows:,} records into the warehouse; {quarantined:,} quarantined.")


def demo_accounts() -> None:
    """Make one casebook account per role (demo.administrator, demo.licensing_officer...) and
    print each with its password, to sign in to `peel serve` as every kind of user.

    The passwords are random, made once and kept in PEEL_HOME/demo/accounts.txt (readable by
    its owner only), so running it again prints the same accounts. For the fictional demo
    force on one computer only: never give these accounts real data."""
    from peel.casebook import CasebookError
    from peel.demo.accounts import ensure_demo_accounts
    from peel.settings import get_settings

    try:
        accounts = ensure_demo_accounts(get_settings().demo_dir)
    except CasebookError as error:
        Console(stderr=True).print(error_line(error))
        raise typer.Exit(2) from None
    table = Table(title="Demo accounts (one per role)")
    table.add_column("username", no_wrap=True)
    table.add_column("password", no_wrap=True)
    table.add_column("role")
    for account in accounts:
        table.add_row(account.username, account.password, account.title)
    Console().print(table)


def demo_link() -> None:
    """Resolve the demo force's person records into entities, as the demo's ingest service.

    What `peel link` does for a force's own data, run as demo.ingest_service with the password
    `peel demo-accounts` keeps (run that first): no `peel login` needed, the same role check
    and audit entry. Firearms safeguarding, Clare's Law recognition and intelligence packs
    read the entities it writes."""
    from peel.casebook import CasebookError
    from peel.demo.accounts import link_demo_persons
    from peel.settings import get_settings

    console = Console()
    try:
        with make_progress(console, transient=False) as progress:
            task = progress.add_task("Linking the demo persons", total=None)
            summary = link_demo_persons(
                get_settings().demo_dir, lambda step: progress.update(task, description=step))
    except CasebookError as error:
        Console(stderr=True).print(error_line(error))
        raise typer.Exit(2) from None
    console.print(f"Linkage run {summary['run_id']}: {summary['records']:,} person records -> "
                  f"{summary['entities']:,} entities.")
