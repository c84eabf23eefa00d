"""``peel workforce``: agenda item 3's figures (aggregates) and a person's sickness record
(personal data: signed in, with a purpose)."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from peel.casebook.cli import ACTING, refusals_exit
from peel.console import Console, error_line
from peel.measures.periods import parse_month
from peel.warehouse.cli import open_warehouse

workforce_app = typer.Typer(help="Leadership and wellbeing (agenda item 3): training, sickness, assaults on staff.")


def register(app: typer.Typer) -> None:
    app.add_typer(workforce_app, name="workforce")


@workforce_app.command("summary")
def summary(month: str = typer.Option(..., help="The reporting month, YYYY-MM."),
            as_json: bool = typer.Option(False, "--json", help="Print JSON (the API's document).")) -> None:
    """Training by rank, sickness since training started, wellbeing and assaults on staff for the month."""
    from peel.measures.rounding import format_number, format_percent, format_points
    from peel.workforce.api import describe_section
    from peel.workforce.section import describe_training, get_workforce_section

    con = open_warehouse(read_only=True)
    try:
        section = get_workforce_section(con, parse_month(month))
    except ValueError as error:
        Console(stderr=True).print(error_line(error))
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(describe_section(section), indent=2, default=str))
        return
    console = Console()
    for row in section.training:
        console.print(describe_training(row))
    table = Table("year", "assaults", "solved", "solve rate")
    for y in section.assaults.calendar_years + section.assaults.financial_years:
        rate = "-" if y.solve_rate is None else f"{y.solve_rate:.1f}%"
        table.add_row(y.label + (" (partial)" if y.partial else ""), f"{y.assaults:,}", f"{y.solved:,}", rate)
    console.print(table)
    if section.change_all and section.change_all.change_percent is not None:
        c = section.change_all
        console.print(f"Working days lost per FTE since training started: {format_number(c.since, 2)} "
                      f"(a year earlier {format_number(c.before, 2)}, {format_percent(c.change_percent, signed=True)}).")
    shares = section.absent_change["all"]
    if shares and shares[0].since is not None and shares[0].before is not None:
        a = shares[0]
        console.print(f"Share of people absent in a month since training started: {format_percent(100 * a.since)} "
                      f"(a year earlier {format_percent(100 * a.before)}, {format_points(100 * (a.since - a.before))}).")


@workforce_app.command("load")
@refusals_exit
def load(kind: str = typer.Argument(..., help="What the extract holds: staff, course, sickness, wellbeing or assault."),
         path: str = typer.Argument(..., help="The extract: a CSV file with a header line, or Parquet."),
         mapping: str = typer.Option(..., "--mapping", "-m", help="Its column mapping (docs/workforce.md)."),
         purpose: str = typer.Option(None, help="Why the records are collected (logged)."),
         acting: str = ACTING) -> None:
    """Load a workforce extract (people first): all or nothing; a bad row refuses the file."""
    from peel.sources.mapped.batch import ExtractRefused
    from peel.sources.mapped.mapping import MappingError
    from peel.workforce.extracts import collect_workforce_extract

    try:
        result = collect_workforce_extract(path, mapping, kind, acting=acting, purpose=purpose)
    except (MappingError, ExtractRefused) as error:
        Console(stderr=True).print(error_line(error))
        raise typer.Exit(1) from None
    Console().print(f"Loaded {result['rows_loaded']:,} rows into {result['table']} (batch {result['batch_id']}).")


@workforce_app.command("sickness")
@refusals_exit
def sickness(staff_number: str = typer.Argument(..., help="The person's staff number."),
             purpose: str = typer.Option(None, help="Why you need this person's sickness record (logged)."),
             acting: str = ACTING) -> None:
    """One person's sickness absence spells: personal data, for a role that may read it."""
    from peel.workforce.people import UnknownStaffNumber, list_sickness

    try:
        spells = list_sickness(None, staff_number, username=acting, purpose=purpose)
    except (FileNotFoundError, UnknownStaffNumber) as error:
        Console(stderr=True).print(error_line(error))
        raise typer.Exit(2) from None
    table = Table("first day", "last day", "reason", "rank or grade", "team")
    for s in spells:
        table.add_row(str(s.start_date), str(s.end_date or "still absent"), s.reason or "", s.rank_or_grade, s.team)
    Console().print(table)
