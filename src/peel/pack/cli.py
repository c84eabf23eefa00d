"""``peel pack``: write the month's meeting pack."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from peel.measures.periods import parse_month
from peel.settings import get_settings
from peel.warehouse.cli import open_warehouse


def register(app: typer.Typer) -> None:
    app.command("pack")(pack)


def pack(
    month: str = typer.Option(..., help="The meeting's reporting month, YYYY-MM."),
    out: str = typer.Option(None, help="Folder to write to; default PEEL_HOME/outputs/pack-YYYY-MM."),
    agenda: Path = typer.Option(None, help="The meeting's agenda, a YAML file (docs/pack.md); "
                                "default: the seed meeting's five items."),
) -> None:
    """Write the meeting pack (HTML and PDF): a cover, one section per agenda item with each
    figure's definition, comparison and chart, and the data snapshot it came from."""
    from peel.pack.agenda import read_agenda
    from peel.pack.build import build_pack  # the measures, charts and PDF engine: only when needed

    console = Console()
    con = open_warehouse(read_only=True)
    try:
        reporting_month = parse_month(month)
        items = read_agenda(agenda)
        folder = get_settings().outputs_dir / f"pack-{reporting_month:%Y-%m}" if out is None else Path(out)
        with console.status("Computing measures and rendering the pack..."):
            result = build_pack(con, reporting_month, folder, items)
    except ValueError as error:
        Console(stderr=True).print(f"[red]Error:[/red] {error}")
        raise typer.Exit(2)
    console.print(f"Pack written to [bold]{result.folder}[/bold]\n  {result.html.name}\n  {result.pdf.name}")
