"""``peel oversight ...``: the register of peel's algorithms (ATRS records) and the AI-oversight
board's monthly report."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from peel.casebook.cli import ACTING, refusals_exit
from peel.console import Console, error_line

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
    from peel.warehouse import connect

    try:
        con = connect(read_only=True)
    except FileNotFoundError:
        con = None  # no warehouse: the report has no LFR deletion gaps to tell
    try:
        report = get_oversight_report(acting, parse_month(month, "--month"), con)
    finally:
        if con is not None:
            con.close()
    if as_json:
        console.print(json.dumps(report.to_dict(), indent=2))
        return
    table = Table("algorithm", "proposed", "accepted", "rejected", "pending", "overridden", "median hours",
                  "false positives found later", "rule changes", title=f"AI oversight, {report.label}")
    for a in report.algorithms:
        table.add_row(a.title, str(a.proposed), str(a.accepted), str(a.rejected), str(a.pending),
                      "not recorded" if a.overridden is None else str(a.overridden),
                      "-" if a.median_hours_to_decision is None else str(a.median_hours_to_decision),
                      str(a.false_positives_found_later), "; ".join(a.rule_changes) or "none")
    console.print(table)
    if report.board_decisions:
        console.print(f"The board's decisions at its {report.board_month} meeting:")
        for d in report.board_decisions:
            console.print(f"- {d.algorithm}: {d.outcome}. {d.decision}")
    else:
        console.print(f"The board recorded no decision at its {report.board_month} meeting.")
    if report.deletion_gaps:
        console.print(f"Live facial recognition deployments ended by the end of {report.label} without complete "
                      "deletion evidence:")
        for g in report.deletion_gaps:
            console.print(f"- {g.reference}: no record that the {' or '.join(g.missing)}")
    elif report.deletion_gaps is not None:
        console.print(f"Live facial recognition: deletion evidence complete for every deployment ended by the end "
                      f"of {report.label}.")


@oversight_app.command("decide")
@refusals_exit
def decide_command(
    month: str = typer.Option(..., help="The month the board met, YYYY-MM."),
    algorithm: str = typer.Option(..., help="The registered algorithm it is about (`peel oversight register`), or 'all'."),
    outcome: str = typer.Option(..., help="continue, change, suspend or investigate."),
    decision: str = typer.Option(..., help="What the board decided and why, in words (no personal data)."),
    acting: str | None = ACTING,
) -> None:
    """Record a decision of the AI-oversight board (its secretary): kept in the casebook and
    shown in the next month's oversight report and meeting pack."""
    from peel.measures.periods import format_month, parse_month
    from peel.oversight.board import record_board_decision

    try:
        met = parse_month(month, "--month")
    except ValueError as error:
        console.print(error_line(error, "error: "))
        raise typer.Exit(2) from None
    number = record_board_decision(acting, month=met, algorithm=algorithm, outcome=outcome, decision=decision)
    console.print(f"Board decision {number} recorded for {format_month(met)}; shown in next month's report.")
