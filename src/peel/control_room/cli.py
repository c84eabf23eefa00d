"""``peel control-room ...``: performance, forecast, staffing plans and proposals, decisions
on them, and loading a force's command-and-control extracts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import typer
from rich.table import Table

from peel.casebook.cli import ACTING, refusals_exit
from peel.console import Console, error_line, make_progress
from peel.measures.periods import parse_day, parse_month
from peel.warehouse.cli import open_warehouse, open_warehouse_writer

app = typer.Typer(help="The control room: answer and attendance performance, demand forecast, staffing.",
                  no_args_is_help=True)


class Kind(str, Enum):
    calls = "calls"
    incidents = "incidents"


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="control-room")


def _fail(error: Exception) -> None:
    Console(stderr=True).print(error_line(error, "Error: ", "bold red"))
    raise typer.Exit(1)


@app.command("performance")
def performance(
    month: str = typer.Option(..., help="The month, YYYY-MM."),
    by: str = typer.Option("all", help="Break down by all, hour, weekday, day, month or area."),
    grade: str = typer.Option("emergency", help="The grade attendance is reported for."),
    area: str = typer.Option(None, help="A district code; none: force-wide."),
) -> None:
    """999 within 10 s, 101 answer time and abandoned calls, attendance within target."""
    from peel.control_room.performance import measure_performance
    from peel.control_room.section import format_value
    from peel.measures.periods import get_month_end
    from peel.measures.registry import get_measures

    table = Table("measure", "slot", "value", "count")
    try:
        start = parse_month(month, "--month")
        con = open_warehouse(read_only=True)
        for measure in get_measures("control_room").values():
            for p in measure_performance(con, measure.id, start, get_month_end(start), by, area, grade):
                table.add_row(measure.name, p.slot, format_value(p.value, measure.unit),
                              "" if p.denominator is None else f"{p.denominator:,}")
    except ValueError as error:
        _fail(error)
    Console().print(table)


@app.command("forecast")
def forecast(days: int = typer.Option(14, min=1, max=28, help="Days ahead, after the data's last day.")) -> None:
    """Contacts per channel and incidents per grade forecast per day, with 80% intervals per hour
    summed (a rough daily range)."""
    from peel.control_room.section import daily_forecast, forecast_ahead, get_data_to

    con = open_warehouse(read_only=True)
    data_to = get_data_to(con)
    if data_to is None:
        _fail(ValueError("No control-room calls loaded: run peel demo-data or peel control-room load."))
    table = Table("day", "series", "forecast", "low", "high")
    for row in daily_forecast(forecast_ahead(con, data_to, days)):
        table.add_row(row["day"], row["series"], f"{row['mean']:,}", f"{row['low']:,}", f"{row['high']:,}")
    Console().print(table)


@app.command("plan")
def plan(week: str = typer.Option(..., help="The week's first day, YYYY-MM-DD.")) -> None:
    """Call handlers per hour proposed for a week, beside the roster worked."""
    from peel.control_room.proposal import plan_week

    con = open_warehouse(read_only=True)
    try:
        result = plan_week(con, parse_day(week, "--week"))
    except ValueError as error:
        _fail(error)
    table = Table("hour", "999 calls", "999 proposed", "999 worked", "101 calls", "101 proposed", "101 worked")
    for row in result.hours.itertuples():
        table.add_row(row.label, f"{row.calls_999:.1f}", str(row.handlers_999), str(row.worked_999),
                      f"{row.calls_101:.1f}", str(row.handlers_101), str(row.worked_101))
    Console().print(table)
    Console().print(", ".join(f"{k}: {v:,}" for k, v in result.totals().items()))


@app.command("roster")
def roster(
    week: str = typer.Option(..., help="The week's first day, YYYY-MM-DD."),
    district: str = typer.Option(None, help="Roster this district's response officers instead of the 999 "
                                 "call handlers."),
    pattern: str = typer.Option("eights", help="The officers' shift pattern (standards.yaml)."),
    staff: int = typer.Option(None, min=1, help="The people available; default: as many as the rules need."),
) -> None:
    """A week's roster of whole shifts (OR-Tools) keeping the working-time rules: the 999 call
    handlers each hour needs beside the roster worked, or a district's response officers."""
    from peel.control_room.proposal import plan_week
    from peel.control_room.roster import solve_handler_roster, solve_officer_roster

    con = open_warehouse(read_only=True)
    try:
        plan = plan_week(con, parse_day(week, "--week"))
        if district:
            need = officers_for(con, plan, district, pattern)
        with Console(stderr=True).status("Solving the roster (OR-Tools)"):  # seconds: say it is working
            if district:
                result = solve_officer_roster(plan, pattern, need, staff)
            else:
                result = solve_handler_roster(plan, staff=staff)
    except ValueError as error:
        _fail(error)
    Console().print(roster_table(result))
    summary = f"{result.people} people, {result.staff_hours:,} staff-hours rostered"
    if result.worked_hours() is not None:
        short = int((result.cover["worked"] < result.cover["needed"]).sum())
        summary += (f"; {result.worked_hours():,} worked, with fewer than needed in {short} of "
                    f"{len(result.cover)} hours")
    Console().print(summary + ".")


def officers_for(con, plan, district: str, pattern: str) -> int:
    """Officers per shift the simulation finds for the district's forecast week."""
    from peel.control_room.response import officers_week
    from peel.control_room.standards import get_standards

    if pattern not in get_standards().response_patterns:
        raise ValueError(f"Unknown pattern '{pattern}': choose one of {', '.join(get_standards().response_patterns)}.")
    with simulation_progress() as progress:
        table = officers_week(con, plan.week_start, [district], progress)
    row = table[table["pattern"] == pattern].iloc[0]
    if row["note"]:
        raise ValueError(row["note"])
    return int(row["officers_per_shift"])


@contextmanager
def simulation_progress() -> Iterator[Callable[[int, int], None]]:
    """A progress bar (on stderr) for the response-officer simulation, which takes seconds a
    district and pattern: the callback ``officers_week`` takes."""
    with make_progress() as bar:
        task = bar.add_task("Simulating response officers", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def roster_table(result) -> Table:
    """Days down, shifts across: how many start each shift."""
    table = Table("day", *result.shifts["shift"].unique())
    for day, group in result.shifts.groupby("day"):
        table.add_row(str(day + 1), *[str(n) for n in group["staff"]])
    return table


@app.command("propose")
@refusals_exit
def propose(week: str = typer.Option(..., help="The week's first day, YYYY-MM-DD."), acting: str = ACTING) -> None:
    """File the week's staffing plan in the review queue, for a control-room manager to decide
    (as a signed-in user or service account that may propose in the control room)."""
    from peel.casebook import transaction
    from peel.control_room.proposal import plan_week, propose_staffing

    con = open_warehouse(read_only=True)
    try:
        result = plan_week(con, parse_day(week, "--week"))
    except ValueError as error:
        _fail(error)
    with transaction() as session:
        item = propose_staffing(session, acting, result)
    Console().print(f"Staffing proposal filed as review item {item}: `peel review show {item}` to read it.")


@app.command("decide")
@refusals_exit
def decide(
    item_id: int = typer.Argument(..., help="The review item's number, as `peel review list` shows it."),
    decision: str = typer.Option(..., help="accept, change or reject."),
    reason: str = typer.Option(None, "--reason", help="Why (kept with the decision)."),
    change: list[str] = typer.Option(None, "--set", help="For a change: 'LABEL=HANDLERS', e.g. "
                                     "'2026-03-02 08:00 GMT=9'; repeat for more hours."),
    acting: str = ACTING,
) -> None:
    """Accept, change or reject a staffing proposal, with your reason."""
    from peel.casebook import transaction
    from peel.control_room.proposal import decide_staffing

    changes = {}
    for item in change or []:
        label, _, value = item.rpartition("=")
        if not label or not value.strip().isdigit():
            _fail(ValueError(f"--set {item!r}: expected LABEL=HANDLERS, e.g. '2026-03-02 08:00 GMT=9'."))
        changes[label.strip()] = int(value)
    try:
        with transaction() as session:
            decide_staffing(session, acting, item_id, decision, reason, changes or None)
    except ValueError as error:
        _fail(error)
    Console().print(f"Review item {item_id}: {decision}.")


@app.command("load")
def load(
    kind: Kind = typer.Argument(..., help="calls or incidents."),
    path: Path = typer.Argument(..., help="The extract: CSV with a header line, or Parquet."),
    mapping: Path = typer.Option(..., "--mapping", "-m", help="Its mapping (see docs/ingest.md)."),
) -> None:
    """Load a command-and-control extract through its mapping; a bad row refuses the whole file."""
    from peel.control_room.extract import load_extract
    from peel.sources.mapped import MappingError

    with open_warehouse_writer() as con:
        try:
            counts = load_extract(con, kind.value, path, mapping)
        except (MappingError, ValueError) as error:
            _fail(error)
    Console().print(", ".join(f"{n:,} rows loaded into {t}" for t, n in counts.items()))
