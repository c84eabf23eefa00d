"""``peel measures``: the declared measures for a crime type, area and month."""

from __future__ import annotations

import csv
import json
import sys
from enum import Enum
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from peel.console import Console, error_line  # reads no markup; escapes control characters
from peel.crime.scope import LEVELS
from peel.measures.periods import parse_day, parse_month
from peel.warehouse.cli import open_warehouse

if TYPE_CHECKING:
    from peel.crime.compute import MeasuresReport
    from peel.crime.daily import Daily


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


Level = Enum("Level", {level: level for level in LEVELS}, type=str)  # the choices for --level


def register(app: typer.Typer) -> None:
    app.command("measures")(measures)
    app.command("areas")(areas)
    app.command("daily")(daily)


def areas(
    level: Level = typer.Option(None, help="Only areas of this level; default all."),
    within: str = typer.Option(None, help="Only the areas inside this district (code or name)."),
) -> None:
    """List the areas the data has (code, name, level, parent), for --area. Districts of
    other forces are grouped as 'Outside the force area', crimes without one as 'No location'."""
    from peel.crime.scope import list_areas

    con = open_warehouse(read_only=True)
    rows = list_areas(con, level.value if level else None, within)
    if rows:
        table = Table("code", "name", "level", "within", "crimes")
        for row in rows:
            table.add_row(*[str(v or "") for v in row[:4]], f"{row[4]:,}")
        Console().print(table)
    elif not con.execute("SELECT count(*) FROM area").fetchone()[0]:
        Console().print("No areas: load data first ('peel demo-data' or 'peel ingest police-uk PATH').")
    elif within:
        kind = level.value if level else "area"
        Console().print(f"No {kind} within '{within}': --within takes a district's code or name ('peel areas --level district' lists them).")
    else:
        Console().print(f"No {level.value} areas in the data.")


def daily(
    day: str = typer.Option(None, "--date", help="The day, YYYY-MM-DD; default yesterday (UK time)."),
) -> None:
    """Crimes solved on a day (first positive outcome that day) by crime type and district,
    and the week's trend: the daily dashboard's figures."""
    from peel.crime.daily import get_daily, get_yesterday

    try:
        wanted = parse_day(day, "--date") if day else get_yesterday()
    except ValueError as error:  # a malformed date: say so, rather than a traceback
        Console(stderr=True).print(error_line(error))
        raise typer.Exit(2) from None
    con = open_warehouse(read_only=True)
    print_daily(get_daily(con, wanted))


def print_daily(report: Daily) -> None:
    console = Console()
    if report.last_outcome_day is None:
        console.print("No outcome in the warehouse has an exact date (data.police.uk gives months only): "
                      "the daily figures need a force's own records, e.g. 'peel demo-data'.")
        return
    table = Table("crime type", "area", "solved", title=f"Crimes solved on {report.day:%A %d %B %Y}")
    for count in report.counts:
        table.add_row(count.crime_type, count.area_name, str(count.solved))
    table.add_row("All crime types", "All areas", str(report.total))
    console.print(table)
    days = report.week_days
    week = Table("crime type", *[f"{d:%a %d}" for d in days], title=f"The week to {report.day:%d %B %Y}")
    solved = {(t.crime_type, t.day): t.solved for t in report.week}
    for crime_type in sorted({t.crime_type for t in report.week}):
        week.add_row(crime_type, *[str(solved.get((crime_type, d), 0)) for d in days])
    week.add_row("All crime types", *[str(sum(t.solved for t in report.week if t.day == d)) for d in days])
    console.print(week)
    if report.day > report.last_outcome_day:
        console.print(f"Note: the data's outcomes end on {report.last_outcome_day:%d %B %Y}.")


def measures(
    crime_type: str = typer.Option("burglary", help="Crime type or subtype, e.g. burglary, residential-burglary, shoplifting, all-crime."),
    month: str = typer.Option(..., help="Reporting month, YYYY-MM."),
    area: str = typer.Option(None, help="Force, district or neighbourhood (LSOA) code or name; default the whole force."),
    as_of: str = typer.Option(None, help="Snapshot date YYYY-MM-DD; default the last day the data covers."),
    format: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
    patterns: bool = typer.Option(True, help="Run trend and seasonal pattern detection."),
) -> None:
    """The figures for one crime type, area and month: 12-month change with its significance,
    solve rates (cohort and period; month and month to date), arrests, and trend and seasonal
    patterns. Definitions: docs/measures.md."""
    from peel.crime.compute import compute_measures  # scipy and statsmodels: only when needed

    con = open_warehouse(read_only=True)
    try:
        report = compute_measures(
            con, crime_type, parse_month(month), area,
            parse_day(as_of, "--as-of") if as_of else None, with_patterns=patterns,
        )
    except ValueError as error:
        Console(stderr=True).print(error_line(error))
        raise typer.Exit(2)
    if format is Format.json:
        print(json.dumps(report.to_dict(), indent=2, default=str))
    elif format is Format.csv:
        write_csv(report)
    else:
        print_table(report)


def write_csv(report: MeasuresReport) -> None:
    rows = report.to_dict()["figures"]
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)


def print_table(report: MeasuresReport) -> None:
    console = Console()
    title = f"{report.scope.description}: {report.month:%B %Y} (data to {report.as_of:%d %B %Y})"
    table = Table("measure", "period", "value", "compared with", "then", "change", "data covers", title=title)
    for f in report.figures:
        table.add_row(f.name, f.period, f.as_text(), f.comparison_period or "", f.comparison_text(), f.change_text(),
                      f.coverage_text())
    console.print(table)
    for f in report.figures:
        if f.note:
            console.print(f"{f.name}: {f.note}")
    for note in report.notes:
        console.print(f"Note: {note}")
    if len(report.places) > 1:
        places = "; ".join(f"{p.name} {p.crimes:,}" for p in report.places)
        console.print(f"Where the {report.figures[0].period} crimes were recorded: {places}.")
    if report.patterns:
        console.print(f"Patterns: {report.patterns.summary}")
        if report.patterns.events_not_run:
            console.print(f"  calendar events not measured: {report.patterns.events_not_run}")
        for spike in report.patterns.past_spikes:
            console.print(f"  past spike: {spike.describe()}")
        for event in report.patterns.events:
            for occurrence in event.occurrences:
                console.print(f"  {occurrence.describe()}")
            if event.recurring:
                console.print(f"  {event.describe_recurring()}")
            if event.neighbourhoods:
                names = ", ".join(u.area_name for u in event.neighbourhoods)
                console.print(f"  {event.event_name}: concentrated in {names}")
