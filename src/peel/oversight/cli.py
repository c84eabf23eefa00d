"""``peel oversight ...``: the register of peel's algorithms (ATRS records) and the AI-oversight
board's monthly report."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from peel.casebook.cli import ACTING, refusals_exit
from peel.console import Console

console = Console()
oversight_app = typer.Typer(no_args_is_help=True, help="The AI-oversight board: algorithms and their report.")


def register(app: typer.Typer) -> None:
    app.add_typer(oversight_app, name="oversight")


@oversight_app.command("register")
def register_command(as_json: bool = typer.Option(False, "--json", help="The ATRS records as JSON.")) -> None:
    """Every algorithm peel runs, with its Algorithmic Transparency Recording Standard record
    (tier 1 and tier 2), as Markdown or JSON."""
    from peel.oversight.registry import records_json, records_markdown

    console.print(records_json() if as_json else records_markdown())


@oversight_app.command("report")
@refusals_exit
def report_command(month: str = typer.Option(..., help="The month, YYYY-MM."),
                   as_json: bool = typer.Option(False, "--json", help="As JSON."),
                   acting: str | None = ACTING) -> None:
    """The monthly oversight report: per algorithm, proposals, decisions, time to decision,
    overrides. Counts only."""
    from peel.measures.periods import parse_month
    from peel.oversight.report import get_oversight_report

    report = get_oversight_report(acting, parse_month(month, "--month"))
    if as_json:
        console.print(json.dumps(report.to_dict(), indent=2))
        return
    table = Table("algorithm", "proposed", "accepted", "rejected", "pending", "overridden", "median hours",
                  title=f"AI oversight, {report.label}")
    for a in report.algorithms:
        table.add_row(a.title, str(a.proposed), str(a.accepted), str(a.rejected), str(a.pending),
                      "not recorded" if a.overridden is None else str(a.overridden),
                      "-" if a.median_hours_to_decision is None else str(a.median_hours_to_decision))
    console.print(table)
