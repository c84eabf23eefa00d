"""``peel firearms ...``: the renewals backlog, its forecast, the oldest cases and the
safeguarding review items. Aggregates need no sign-in; anything naming a holder does, with a
purpose, and is logged by the function that reads it."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from peel.casebook.cli import ACTING, refusals_exit
from peel.console import Console, error_line
from peel.measures.periods import parse_day
from peel.warehouse.cli import open_warehouse

firearms_app = typer.Typer(help="Firearms licensing: load the register, backlog, forecast, oldest cases, "
                                "safeguarding.",
                           no_args_is_help=True)
AS_OF = typer.Option(None, "--as-of", help="The day to count to, YYYY-MM-DD; default the register's last day.")
PURPOSE = typer.Option(None, "--purpose", help="Why you need it (logged).")


def register(app: typer.Typer) -> None:
    app.add_typer(firearms_app, name="firearms")


def _as_of(con, text: str | None) -> date:
    from peel.firearms.backlog import data_to, has_register

    if not has_register(con):
        Console(stderr=True).print(error_line("No firearms register loaded: run 'peel demo-data' or load an extract."))
        raise typer.Exit(2)
    try:
        return parse_day(text, "--as-of") if text else data_to(con)
    except ValueError as error:
        Console(stderr=True).print(error_line(error))
        raise typer.Exit(2) from None


@firearms_app.command("backlog")
def backlog(as_of: str = AS_OF) -> None:
    """Outstanding renewals by year due, the change in a month, throughput per week by stage,
    the inbox and the action plan (aggregates only)."""
    from peel.firearms.backlog import build_backlog
    from peel.firearms.rules import STAGE_NAMES, STAGES

    con = open_warehouse(read_only=True)
    b = build_backlog(con, _as_of(con, as_of))
    console = Console()
    table = Table("year due", "outstanding renewals", title=f"Outstanding renewals on {b.as_of}")
    for year, n in b.by_year.items():
        table.add_row(str(year), f"{n:,}")
    table.add_row("total", f"{b.total:,}")
    console.print(table)
    console.print(f"A month earlier: {b.month_before:,} ({b.change:+,}).")
    weeks = Table("week from", *(STAGE_NAMES[s] for s in STAGES), title="Renewal stages completed per week")
    for row in b.throughput:
        weeks.add_row(str(row["week"]), *(str(row[s]) for s in STAGES))
    console.print(weeks)
    i, p = b.inbox, b.policies
    console.print(f"Inbox: {i['waiting']:,} waiting (oldest {i['oldest_waiting'] or '-'}); at most {i['peak']:,} "
                  f"waiting at a week's end in the last year (week of {i['peak_week']}).")
    console.print(f"Action plan: {p['assessed']} of {p['total']} policies assessed.")


@firearms_app.command("forecast")
def forecast(
    staff: str = typer.Option("+0", "--staff", help="Officers added (+10) or taken away (-2) from those deciding now."),
    as_of: str = AS_OF,
    simulate: bool = typer.Option(False, "--simulate", help="Also simulate the queue (simpy) for the same staffing."),
) -> None:
    """When each year's outstanding renewals clear, with an 80% interval, for a staffing."""
    from peel.firearms.forecast import forecast_clearance
    from peel.firearms.simulation import RUNS, simulate_clearance

    try:
        extra = int(staff)
    except ValueError:
        Console(stderr=True).print(error_line(f"--staff: expected a number of officers such as +10 or -2, not {staff!r}."))
        raise typer.Exit(2) from None
    con = open_warehouse(read_only=True)
    day = _as_of(con, as_of)
    try:
        f = forecast_clearance(con, day, extra)
        simulated = simulate_clearance(con, day, extra) if simulate else None
    except ValueError as error:
        Console(stderr=True).print(error_line(error))
        raise typer.Exit(2) from None
    console = Console()
    console.print(f"On {f.as_of}: {f.officers} officers decide renewals; forecast with {f.officers + f.extra} "
                  f"({f.extra:+d}): about {f.weekly_now} decisions a week. Method: {f.method}.")
    console.print(_clearance_table(f.cohorts, "Forecast (AutoETS)"))
    if simulated is not None:
        console.print(_clearance_table(simulated, f"Simulated queue (simpy, median of {RUNS} runs, 10th-90th percentile)"))


def _clearance_table(cohorts, title: str) -> Table:
    table = Table("year due", "outstanding", "clears", "earliest", "latest", title=title)
    for c in cohorts:
        table.add_row(str(c.year_due), f"{c.outstanding:,}", *(str(d) if d else "beyond 2 years"
                                                               for d in (c.clears, c.earliest, c.latest)))
    return table


@firearms_app.command("oldest")
@refusals_exit
def oldest(as_of: str = AS_OF, limit: int = typer.Option(20, help="How many."), purpose: str = PURPOSE,
           acting: str = ACTING) -> None:
    """The oldest outstanding renewals and the stage each has reached (personal data: logged)."""
    from peel.firearms.backlog import authorise_reading, oldest_cases

    authorise_reading(acting, purpose)  # before the warehouse is opened: a refusal says why
    try:
        day = parse_day(as_of, "--as-of") if as_of else None
    except ValueError as error:
        Console(stderr=True).print(error_line(error))
        raise typer.Exit(2) from None
    rows = oldest_cases(open_warehouse(read_only=True), acting, purpose=purpose, as_of=day, limit=limit)
    table = Table("application", "holder", "due", "received", "stage")
    for r in rows:
        table.add_row(r["application_ref"], r["holder_ref"], str(r["due_date"]), str(r["received_date"]), r["stage"] or "")
    Console().print(table)


@firearms_app.command("load")
@refusals_exit
def load(kind: str = typer.Argument(..., help="What the extract holds: holder, certificate, application, stage "
                                               "(an application's stage events), mail (the licensing mailbox) or "
                                               "policy (the action plan)."),
         path: str = typer.Argument(..., help="The extract: a CSV file with a header line, or Parquet."),
         mapping: str = typer.Option(..., "--mapping", "-m", help="Its column mapping (docs/firearms.md; examples "
                                                                  "in peel/firearms/mappings)."),
         purpose: str = PURPOSE, acting: str = ACTING) -> None:
    """Load the licensing system's holders, certificates, applications or their stage events,
    the licensing mailbox or the action plan: all or nothing, a bad row refuses the file,
    naming its line (holders first: each certificate's holder must be on the register; an
    application before its stages)."""
    from peel.firearms.extract import collect_extract
    from peel.sources.mapped.batch import ExtractRefused
    from peel.sources.mapped.mapping import MappingError

    try:
        loaded = collect_extract(path, mapping, kind, acting=acting, purpose=purpose)
    except (MappingError, ExtractRefused, ValueError, FileNotFoundError) as error:
        Console(stderr=True).print(error_line(error))
        raise typer.Exit(1) from None
    Console().print(f"Loaded {loaded:,} {kind} rows from {path}.")


@firearms_app.command("safeguarding-scan")
@refusals_exit
def safeguarding_scan(purpose: str = PURPOSE, acting: str = ACTING) -> None:
    """Raise a review item for each holder linked to a concerning record (after 'peel link')."""
    from peel.firearms.safeguarding import authorise_scan, raise_alerts

    authorise_scan(acting, purpose)  # before the warehouse is opened: a refusal says why
    con = open_warehouse(read_only=True)
    raised = raise_alerts(con, acting, purpose=purpose)
    Console().print(f"{raised.holders:,} holders linked to concerning records: {raised.raised:,} review items "
                    f"raised, {raised.already:,} already raised. Decide them with 'peel firearms safeguarding-decide'.")


@firearms_app.command("safeguarding-decide")
@refusals_exit
def safeguarding_decide(
    item_id: int = typer.Argument(..., help="The review item's number ('peel review list --domain firearms')."),
    outcome: str = typer.Option(..., help="no_action, review, suspend or revoke."),
    reason: str = typer.Option(None, "--reason", help="Why (kept with the decision)."),
    acting: str = ACTING,
) -> None:
    """Decide a safeguarding review item: a person decides, never the algorithm."""
    from peel.firearms.safeguarding import decide_alert

    decide_alert(acting, item_id, outcome=outcome, reason=reason or "")
    Console().print(f"Review item {item_id}: {outcome}.")


@firearms_app.command("safeguarding-evaluate")
def safeguarding_evaluate() -> None:
    """Recall and precision of the safeguarding links against the demo force's planted truth."""
    from peel.firearms.evaluation import evaluate
    from peel.settings import get_settings

    truth = get_settings().demo_dir / "truth" / "firearms_holders.parquet"
    if not truth.exists():
        Console(stderr=True).print(error_line(f"No demo truth at {truth}: run 'peel demo-data' and 'peel demo-link'."))
        raise typer.Exit(2)
    e = evaluate(open_warehouse(read_only=True), truth)
    Console().print(f"Recall {e.recall:.3f} ({e.true_positives} of {e.planted} planted), precision "
                    f"{e.precision:.3f} ({e.raised} holders raised), controls raised: {e.controls_raised}.")
    for category, n in e.by_category.items():
        Console().print(f"Missed {n}: {category}.", markup=False)
    for miss in e.misses:
        Console().print(f"Missed {miss['holder_ref']}: {miss['why']}", markup=False)
