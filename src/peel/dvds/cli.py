"""``peel dvds``: Clare's Law figures, the Home Office return, cases and the candidate queue."""

from __future__ import annotations

import sys
from datetime import date, datetime

import typer
from rich.table import Table

from peel.casebook.cli import ACTING, refusals_exit
from peel.casebook.db import transaction
from peel.console import Console, error_line, safe
from peel.warehouse.cli import open_warehouse

app = typer.Typer(help="Clare's Law (DVDS): figures, the Home Office return, cases and recognition.",
                  no_args_is_help=True)
PURPOSE = typer.Option(None, "--purpose", help="Why you need it (logged), e.g. 'Right to Ask from the person at risk'.")


def _known(ref: str) -> bool:
    """Whether the warehouse holds the person: opened only once the user has been checked."""
    from peel.dvds.cases import known_in

    con = open_warehouse(read_only=True)
    try:
        return known_in(con)(ref)
    finally:
        con.close()


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="dvds")


@app.command("figures")
def figures_command(
    year: str = typer.Option(None, help="A calendar year (2024) or financial year (2024/25); default the last "
                                        "complete calendar year."),
) -> None:
    """Requests, cases, disclosures and the 28-day target by route for a year, and the Right to
    Know candidates raised and decided in it with the share accepted (aggregates)."""
    from peel.dvds.cases import ROUTES
    from peel.dvds.figures import MEASURES, figures, period
    from peel.dvds.queue import count_candidates
    from peel.dvds.section import published_candidates
    from peel.measures.registry import get_measure

    year = year or str(date.today().year - 1)
    try:
        start, end, label = period(year)
    except ValueError as error:  # says what a year looks like
        Console(stderr=True).print(error_line(error))
        raise typer.Exit(2) from None
    counts = figures(open_warehouse(read_only=True), start, end)
    table = Table("route", "measure", label, title=f"Clare's Law, {label}")
    for route, name in ROUTES.items():
        for m in MEASURES:
            figure = counts[route][m]
            value = figure["value"]
            text = "" if value is None else f"{value:,}" + (
                f"% ({figure['numerator']:,} of {figure['denominator']:,})" if "numerator" in figure else "")
            table.add_row(name, get_measure(m).name, text)
    Console().print(table)
    # The candidates as the figures page, its JSON and the pack show them (counts 1 to 9 hidden).
    candidates = published_candidates(count_candidates(start, end))
    if candidates is None:
        Console().print("Right to Know candidates: not counted (no casebook to read).")
        return
    shown = Table("Right to Know candidates", label, title=f"Right to Know candidates recognised from linked data, {label}")
    for name, key in (("Raised", "raised"), ("Accepted (a Right to Know case opened)", "accepted"),
                      ("Declined", "declined"), (get_measure("dvds_share_accepted").name, "share_accepted")):
        shown.add_row(name, candidates[key])
    Console().print(shown)


@app.command("return")
def return_command(
    year: int = typer.Option(None, help="The financial year's first calendar year (2024 for 2024/25); "
                                        "default the last complete one."),
    force: str = typer.Option("Chalkshire Constabulary", help="The force's name as the return gives it."),
) -> None:
    """The Home Office annual DVDS return for a financial year, as CSV on standard output."""
    from peel.dvds.figures import annual_return

    today = date.today()
    year = year or (today.year - 2 if today.month < 4 else today.year - 1)
    # The name is the user's text: control characters escaped, so it cannot drive the terminal.
    sys.stdout.write(annual_return(open_warehouse(read_only=True), safe(force), year))


@app.command("recognise")
@refusals_exit
def recognise(purpose: str = PURPOSE, acting: str = ACTING) -> None:
    """Scan the linked persons for Right to Know situations and queue the new candidates."""
    from peel.dvds.queue import raise_candidates

    counts = raise_candidates(acting, lambda: open_warehouse(read_only=True), purpose=purpose)
    Console().print(f"{counts['found']} candidates found: {counts['raised']} raised, {counts['already_raised']} "
                    f"already in the queue, {counts['declined_no_new_evidence']} declined before with no new evidence.")


@app.command("candidates")
@refusals_exit
def candidates(acting: str = ACTING) -> None:
    """The Right to Know candidates waiting for a decision (summaries, no personal data)."""
    from peel.casebook import review
    from peel.dvds.recognition import CANDIDATE_KIND

    with transaction(readonly=True) as session:
        items = [i for i in review.list_items(session, acting, domain="dvds") if i.kind == CANDIDATE_KIND]
    table = Table("id", "summary", "raised")
    for item in items:
        table.add_row(str(item.id), item.summary, item.created_at.strftime("%Y-%m-%d"))
    Console().print(table if items else "No candidates waiting.")


@app.command("decide")
@refusals_exit
def decide(
    item_id: int = typer.Argument(..., help="The candidate's number (`peel dvds candidates`)."),
    accept: bool = typer.Option(False, "--accept/--decline", help="Open a Right to Know case, or not."),
    reason: str = typer.Option(None, "--reason", help="Why (logged)."),
    acting: str = ACTING,
) -> None:
    """Decide a candidate: accept (opens a Right to Know case) or decline, with the reason."""
    from peel.dvds.queue import decide_candidate

    with transaction() as session:
        case_id = decide_candidate(session, acting, item_id, accept=accept, reason=reason,
                                   known_person=_known)
    Console().print(f"Candidate {item_id} " + (f"accepted: case {case_id} opened." if case_id else "declined."))


@app.command("open")
@refusals_exit
def open_command(
    route: str = typer.Option(..., help="right_to_ask or right_to_know."),
    person: str = typer.Option(..., help="The subject: a person record key, or entity:N."),
    first_contact: datetime = typer.Option(..., help="The day (or time, UK) of first contact."),
    origin: str = typer.Option(None, help="applicant, third_party, police_information or recognition."),
    purpose: str = PURPOSE,
    acting: str = ACTING,
) -> None:
    """Open a Right to Ask or Right to Know case."""
    from peel.dvds.cases import UK, open_application

    with transaction() as session:
        case_id = open_application(session, acting, route=route, person_ref=person,
                                   first_contact=first_contact.replace(tzinfo=first_contact.tzinfo or UK),
                                   purpose=purpose, origin=origin, known_person=_known)
    Console().print(f"Case {case_id} opened.")


@app.command("stage")
@refusals_exit
def stage(
    case_id: int = typer.Argument(..., help="The case's number."),
    name: str = typer.Argument(..., help="initial_checks, face_to_face, risk_assessment, multi_agency_decision, "
                                         "disclosure or safety_plan."),
    on: datetime = typer.Option(..., help="The day it was done."),
    decision: str = typer.Option(None, help="For the multi-agency decision: disclose or no_disclosure."),
    lawful: bool = typer.Option(None, "--lawful/--not-lawful",
                                help="Multi-agency decision: is disclosure lawful?"),
    necessary: bool = typer.Option(None, "--necessary/--not-necessary",
                                   help="Multi-agency decision: is it necessary for a pressing need?"),
    proportionate: bool = typer.Option(None, "--proportionate/--not-proportionate",
                                       help="Multi-agency decision: is it proportionate?"),
    recipient: str = typer.Option(None, help="For a disclosure: who received it."),
    breach_reason: str = typer.Option(None, help="Past 28 days: why."),
    purpose: str = PURPOSE,
    acting: str = ACTING,
) -> None:
    """Record a stage of a case, in order, with its date."""
    from peel.dvds.cases import record_stage

    tests = {k: v for k, v in (("lawful", lawful), ("necessary", necessary), ("proportionate", proportionate))
             if v is not None}
    with transaction() as session:
        record_stage(session, acting, case_id, name, on=on.date(), purpose=purpose, decision=decision,
                     tests=tests, recipient=recipient, breach_reason=breach_reason)
    Console().print(f"Case {case_id}: {name} recorded.")


@app.command("show")
@refusals_exit
def show(case_id: int = typer.Argument(..., help="The case's number."), purpose: str = PURPOSE,
         acting: str = ACTING) -> None:
    """A case with its stages and the 28-day target (the consultation is logged)."""
    from peel.dvds.views import case_view

    with transaction() as session:
        view = case_view(session, acting, case_id, purpose=purpose)
    console = Console()
    console.print(f"Case {view['id']} ({view['route']}), {view['status']}, subject {view['subject']}")
    for stage_name, day in view["stages"]:
        console.print(f"  {stage_name}: {day}")
    console.print(f"28-day target: {view['timeliness']}")


@app.command("load")
@refusals_exit
def load(path: str = typer.Argument(..., help="The extract of applications: a CSV file with a header line, or Parquet."),
         mapping: str = typer.Option(..., "--mapping", "-m", help="Its column mapping (docs/dvds.md)."),
         purpose: str = PURPOSE, acting: str = ACTING) -> None:
    """Load the force's Clare's Law applications: all or nothing; a bad row refuses the file."""
    from peel.dvds.extract import ApplicationsRefused, collect_applications
    from peel.sources.mapped.mapping import MappingError

    try:
        result = collect_applications(path, mapping, acting=acting, purpose=purpose)
    except (MappingError, ApplicationsRefused) as error:
        Console(stderr=True).print(error_line(error))
        raise typer.Exit(1) from None
    Console().print(f"Loaded {result['rows_loaded']:,} applications (batch {result['batch_id']}).")
