"""``peel lfr ...``: the deployment register from the command line, over the same functions
as the web pages (``register``, ``alerts``, ``section``). Times are UK local time, written
YYYY-MM-DD HH:MM.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

import typer

from peel.casebook.cli import ACTING, refusals_exit
from peel.console import Console, error_line
from peel.measures.periods import parse_day, parse_month

app = typer.Typer(help="Live facial recognition: plan, authorise, confirm and publish deployments; "
                       "record results, alerts and deletion evidence; report.", no_args_is_help=True)
MAPPINGS = Path(__file__).with_name("mappings")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="lfr")


def refused_input(command):
    """A rule broken (PlanError, a bad date): say which record and what to give, exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ValueError as error:
            Console(stderr=True).print(error_line(error))
            raise typer.Exit(1) from None

    return wrapper


@app.command("plan")
@refusals_exit
@refused_input
def plan(
    location: str = typer.Option(..., help="Where, as the public notice will say it."),
    reason: str = typer.Option(..., help="Why there: footfall or intelligence."),
    start: str = typer.Option(..., help="Start, UK time: YYYY-MM-DD HH:MM."),
    end: str = typer.Option(..., help="End, UK time: YYYY-MM-DD HH:MM."),
    aim: str = typer.Option(..., help="The deployment's purpose, as the public notice will say it."),
    authorising_officer: str = typer.Option(..., help="Who authorises it (name)."),
    rank: str = typer.Option(..., help="Their rank: Superintendent or above."),
    watchlist_size: int = typer.Option(..., help="Entries on the watchlist."),
    category: list[str] = typer.Option(..., help="A watchlist category (repeat for several)."),
    threshold: float = typer.Option(..., help="The matcher's threshold setting."),
    uniformed: int = typer.Option(0, help="Uniformed officers."),
    plain_clothes: int = typer.Option(0, help="Plain-clothes officers."),
    acting: str = ACTING,
) -> None:
    """Plan a deployment: opens its case for a supervisor to authorise."""
    from peel.lfr.register import plan_deployment
    from peel.lfr.rules import Plan, parse_uk_time

    case_id = plan_deployment(acting, Plan(
        location=location, location_reason=reason, starts_at=parse_uk_time(start, "--start"),
        ends_at=parse_uk_time(end, "--end"), purpose=aim, authorising_officer=authorising_officer,
        authorising_rank=rank, watchlist_size=watchlist_size, watchlist_categories=list(category),
        threshold=threshold, uniformed_officers=uniformed, plain_clothes_officers=plain_clothes))
    Console().print(f"Planned as case {case_id}: a supervisor authorises it with `peel lfr authorise {case_id}`.")


@app.command("authorise")
@refusals_exit
def authorise(
    case_id: int = typer.Argument(..., help="The plan's case number."),
    reason: str = typer.Option(..., help="Why it is (or is not) necessary and proportionate."),
    refuse: bool = typer.Option(False, "--refuse", help="Refuse the plan instead."),
    acting: str = ACTING,
) -> None:
    """Authorise (or refuse) a planned deployment: never by whoever planned it."""
    from peel.lfr.register import authorise_deployment

    authorise_deployment(acting, case_id, authorised=not refuse, reason=reason)
    Console().print(f"Case {case_id} {'refused' if refuse else 'authorised'}.")


@app.command("confirm")
@refusals_exit
@refused_input
def confirm(
    case_id: int = typer.Argument(..., help="The authorised plan's case number."),
    urgent_reason: str = typer.Option(None, help="Under 7 days before the start: why it is urgent."),
    approver: str = typer.Option(None, help="Under 7 days before the start: who approved it (name, rank)."),
    acting: str = ACTING,
) -> None:
    """Confirm an authorised deployment: it is on the public page and feeds from now."""
    from peel.lfr.register import confirm_deployment
    from peel.warehouse import open_writer

    with open_writer() as con:
        ref = confirm_deployment(con, acting, case_id, urgent_reason=urgent_reason, urgent_approver=approver)
    Console().print(f"Confirmed and published as {ref}.")


@app.command("cancel")
@refusals_exit
@refused_input
def cancel(
    case_id: int = typer.Argument(..., help="The plan's case number."),
    reason: str = typer.Option(..., help="Why it is cancelled (the public register shows it)."),
    acting: str = ACTING,
) -> None:
    """Cancel a planned or confirmed deployment before it starts: the public register and its
    feeds show it as cancelled."""
    from peel.lfr.register import cancel_deployment
    from peel.warehouse import open_writer

    with open_writer() as con:
        ref = cancel_deployment(con, acting, case_id, reason)
    Console().print(f"Case {case_id} cancelled" + (f": {ref} shows as cancelled on the public register." if ref
                                                   else " (it was never published)."), markup=False)


@app.command("results")
@refusals_exit
@refused_input
def results(
    ref: str = typer.Argument(..., help="The deployment's reference, e.g. LFR-2026-C4."),
    faces_seen: int = typer.Option(..., help="Faces seen, as the matcher reports."),
    acting: str = ACTING,
) -> None:
    """Record the faces the matcher saw during a deployment."""
    from peel.lfr.register import record_results
    from peel.warehouse import open_writer

    with open_writer() as con:
        record_results(con, acting, ref, faces_seen)
    Console().print(f"Recorded {faces_seen:,} faces seen for {ref}.")


@app.command("alert")
@refusals_exit
@refused_input
def alert(
    ref: str = typer.Argument(..., help="The deployment's reference."),
    alert_id: str = typer.Option(..., help="The alert's number on the matcher."),
    at: str = typer.Option(..., help="When it was raised, UK time: YYYY-MM-DD HH:MM."),
    adjudication: str = typer.Option(..., help="The officer's adjudication: true or false."),
    engaged: bool = typer.Option(False, help="Whether officers spoke to the person."),
    outcome: str = typer.Option(..., help="arrest, other action or none."),
    offence: str = typer.Option(None, help="The offence arrested for."),
    subject: str = typer.Option(None, help="The watchlist entry's person reference."),
    acting: str = ACTING,
) -> None:
    """Record one alert by hand, with its adjudication and outcome."""
    from peel.lfr.alerts import record_alert
    from peel.warehouse import open_writer

    with open_writer() as con:
        record_alert(con, acting, alert_id, {"deployment_ref": ref, "alerted_at": at, "adjudication": adjudication,
                                             "engaged": "yes" if engaged else "no", "outcome": outcome,
                                             "offence": offence, "subject_ref": subject})
    Console().print(f"Recorded alert {alert_id} for {ref}.")


@app.command("deletion")
@refusals_exit
@refused_input
def deletion(
    ref: str = typer.Argument(..., help="The deployment's reference."),
    evidence: str = typer.Option(..., help="'watchlist destroyed' or 'non-matched data deleted'."),
    at: str = typer.Option(..., help="When, UK time: YYYY-MM-DD HH:MM."),
    by: str = typer.Option(..., help="Who recorded it (name and role)."),
    acting: str = ACTING,
) -> None:
    """Record a piece of deletion evidence for a deployment."""
    from peel.lfr.register import record_deletion
    from peel.lfr.rules import parse_uk_time
    from peel.warehouse import open_writer

    with open_writer() as con:
        record_deletion(con, acting, ref, evidence, parse_uk_time(at, "--at"), by)
    Console().print(f"Recorded '{evidence}' for {ref}.")


@app.command("load-export")
@refusals_exit
@refused_input
def load_export(
    path: Path = typer.Argument(..., help="The matcher's alert export (CSV or Parquet)."),
    mapping: Path = typer.Option(MAPPINGS / "vendor_alerts.yaml", help="Its column mapping (default: peel's vendor_alerts.yaml)."),
    purpose: str = typer.Option(..., help="Why you load the alerts, which name their subjects (logged)."),
    acting: str = ACTING,
) -> None:
    """Load the matcher's alert export through its mapping: all of it, or nothing."""
    from peel.lfr.exports import load_vendor_export
    from peel.warehouse import open_writer

    with open_writer() as con:
        loaded = load_vendor_export(con, acting, path, mapping, purpose=purpose)
    Console().print(f"Loaded {loaded:,} alerts from {path}.")


@app.command("load-results")
@refusals_exit
@refused_input
def load_results(
    path: Path = typer.Argument(..., help="The matcher's deployment summary (CSV or Parquet)."),
    mapping: Path = typer.Option(MAPPINGS / "vendor_results.yaml", help="Its column mapping."),
    acting: str = ACTING,
) -> None:
    """Load each deployment's faces seen from the matcher's summary: all of it, or nothing."""
    from peel.lfr.exports import load_results_export
    from peel.warehouse import open_writer

    with open_writer() as con:
        loaded = load_results_export(con, acting, path, mapping)
    Console().print(f"Loaded the faces seen of {loaded:,} deployments from {path}.")


@app.command("alerts")
@refusals_exit
def alerts(
    ref: str = typer.Argument(..., help="The deployment's reference."),
    purpose: str = typer.Option(..., help="Why you need the alerts' subjects (logged)."),
    acting: str = ACTING,
) -> None:
    """A deployment's alerts with their subjects: personal data, logged with your purpose."""
    from peel.lfr.alerts import read_alert_subjects
    from peel.lfr.rules import as_uk
    from peel.warehouse.cli import open_warehouse

    console = Console()
    for a in read_alert_subjects(lambda: open_warehouse(read_only=True), acting, ref, purpose):
        console.print(f"{a.alert_ref}  {as_uk(a.alerted_at):%d %b %Y %H:%M}  {a.adjudication} alert  "
                      f"{a.outcome}  {a.offence or ''}  {a.subject_ref or ''}", markup=False, highlight=False)


@app.command("report")
@refused_input
def report(month: str = typer.Option(None, help="YYYY-MM; default the month of the latest records."),
           as_of: str = typer.Option(None, help="YYYY-MM-DD: as known on that day.")) -> None:
    """Item 2's figures for a month: arrests, deployments, alerts, false alerts with their bound,
    deletion gaps, the next survey and reviews."""
    from peel.lfr.section import describe_rate, get_lfr_section
    from peel.warehouse.cli import open_warehouse

    con = open_warehouse(read_only=True)
    day = parse_day(as_of, "--as-of") if as_of else None
    wanted = parse_month(month) if month else None
    if wanted is None:
        from peel.lfr.figures import get_data_to
        latest = day or get_data_to(con) or date.today()
        wanted = latest.replace(day=1)
    s = get_lfr_section(con, wanted, day)
    m, y = s.month_figures, s.year_figures
    lines = [f"Live facial recognition, {m.label} (data to {s.as_of:%d %B %Y})",
             f"Arrests: {m.arrests}; deployments: {m.deployments}; faces seen: {m.faces_seen:,}; alerts: {m.alerts}",
             f"False alerts: {describe_rate(m.false_alerts, 'false alerts', 'alerts')}",
             f"{y.label}: {describe_rate(y.false_alerts, 'false alerts', 'alerts')}",
             "Deletion evidence: " + ("; ".join(f"{d.ref} lacks {' and '.join(d.missing_evidence)}"
                                                for d in s.deletion_gaps) or "complete"),
             f"Next survey due: {s.next_survey or 'none yet'}{' (due now)' if s.survey_reminder else ''}",
             "Next reviews: " + ("; ".join(f"{g} {d}" for g, d in s.next_reviews.items()) or "none scheduled")]
    for line in lines:
        Console().print(line, markup=False, highlight=False)


@app.command("survey")
@refusals_exit
@refused_input
def survey(
    survey_ref: str = typer.Argument(..., help="The survey's reference, e.g. LFR-S4."),
    start: str = typer.Option(..., help="Fieldwork's first day, YYYY-MM-DD."),
    end: str = typer.Option(..., help="Fieldwork's last day, YYYY-MM-DD."),
    result: list[str] = typer.Option(..., help="QUESTION=RESPONDENTS/AGREEING, e.g. 'I support LFR=812/540' "
                                               "(repeat for each question)."),
    acting: str = ACTING,
) -> None:
    """Record a public-confidence survey's results (a reminder shows when the next is due)."""
    from peel.lfr.scrutiny import parse_results, record_survey
    from peel.warehouse import open_writer

    results = parse_results(result, "--result")
    with open_writer() as con:
        recorded = record_survey(con, acting, survey_ref, parse_day(start, "--start"), parse_day(end, "--end"), results)
    Console().print(f"Recorded {recorded} questions of survey {survey_ref}.")


@app.command("review")
@refusals_exit
@refused_input
def review(
    review_ref: str = typer.Argument(..., help="The review's reference."),
    group: str = typer.Option(..., help="The group, e.g. 'Race Inclusion Board'."),
    day: str = typer.Option(..., "--date", help="The review's date, YYYY-MM-DD."),
    findings: str = typer.Option(..., help="What the group found."),
    response: str = typer.Option(None, help="The force's response."),
    next_review: str = typer.Option(None, help="The group's next review, YYYY-MM-DD."),
    acting: str = ACTING,
) -> None:
    """Record an advisory or scrutiny group's review, its findings and the force's response."""
    from peel.lfr.scrutiny import record_review
    from peel.warehouse import open_writer

    with open_writer() as con:
        record_review(con, acting, review_ref, group, parse_day(day, "--date"), findings, response,
                      parse_day(next_review, "--next-review") if next_review else None)
    Console().print(f"Recorded review {review_ref}.")
