"""``peel intel ...``: intelligence packs (build a draft, verify, approve, export), entity mining
of a report's text, and event risk assessments."""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb
import typer
from rich.table import Table

from peel.casebook.cli import ACTING, ITEM_ID, refusals_exit
from peel.console import Console, error_line  # reads no markup; escapes control characters
from peel.settings import get_settings

console = Console()
intel_app = typer.Typer(no_args_is_help=True, help="Intelligence packs and event risk assessments.")

PURPOSE = typer.Option(None, "--purpose", help="Why you need it (kept in the audit log).")
REASON = typer.Option(..., "--reason", help="Why you approve or reject it (kept with the decision).")


def register(app: typer.Typer) -> None:
    app.add_typer(intel_app, name="intel")


def errors_exit(command):
    """A subject not found, a pack that does not verify, a bad file: its message, exit status 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (ValueError, FileNotFoundError, duckdb.Error) as error:
            console.print(error_line(error, "error: "))
            raise typer.Exit(2) from None

    return wrapper


def _out(folder: Path | None, name: str) -> Path:
    return folder or get_settings().outputs_dir / "intel" / name


@intel_app.command("pack")
@errors_exit
@refusals_exit
def pack_command(
    subject: str = typer.Argument(..., help='entity:87, "Forename SURNAME, YYYY-MM-DD", "CK1 5JP / 63" '
                                  "(postcode / house), a vehicle mark or a phone number."),
    purpose: str | None = PURPOSE,
    out: Path | None = typer.Option(None, help="Folder for the draft (default PEEL_HOME/outputs/intel/PACK)."),
    acting: str | None = ACTING,
) -> None:
    """Build an intelligence pack on a subject, every statement cited, and queue it as a draft
    for a second person's approval (`peel intel approve`); writes the draft's HTML and pack.json.

    A consultation of personal data: needs a user who may read intelligence records and a
    --purpose, both kept in the audit log."""
    from peel.intel.packs import draft_pack, write_draft

    draft = draft_pack(acting, subject, purpose=purpose or "")
    files = write_draft(draft, _out(out, draft.pack["pack_id"]))
    console.print(f"Pack {draft.pack['pack_id']}: {len(draft.pack['statements'])} statements, all verified; "
                  f"queued for approval as review item {draft.item_id}.")
    console.print(f"Draft: {files['html']} (marked DRAFT; export only after approval); {files['json']}")


@intel_app.command("verify")
@errors_exit
@refusals_exit
def verify_command(pack: Path = typer.Argument(..., help="A pack.json written by `peel intel pack`."),
                   purpose: str | None = PURPOSE, acting: str | None = ACTING) -> None:
    """Re-derive every statement of a pack from the warehouse; fail (exit 1) naming each statement
    that lacks a source or no longer matches it. Shows personal data when it fails: a --purpose."""
    from peel.intel.packs import verify_pack

    check = verify_pack(acting, pack, purpose=purpose or "")
    for failure in check.failures:
        console.print(f"FAILED {failure.statement}: {failure.claim}")
        console.print(f"  {failure.reason}")
    if not check.passed:
        console.print(f"{len(check.failures)} of {check.statements} statements do not verify.")
        raise typer.Exit(1)
    console.print(f"All {check.statements} statements verify against the warehouse.")


@intel_app.command("approve")
@refusals_exit
def approve_command(item: int = ITEM_ID, reason: str = REASON,
                    reject: bool = typer.Option(False, "--reject", help="Reject the pack instead."),
                    acting: str | None = ACTING) -> None:
    """Approve (or --reject) a queued pack: a second person, never its author."""
    from peel.intel.packs import decide_pack

    decide_pack(acting, item, approve=not reject, reason=reason)
    console.print(f"Review item {item} {'rejected' if reject else 'approved'}.")


@intel_app.command("export")
@errors_exit
@refusals_exit
def export_command(item: int = ITEM_ID, purpose: str | None = PURPOSE,
                   out: Path | None = typer.Option(None, help="Folder (default PEEL_HOME/outputs/intel/item-N)."),
                   acting: str | None = ACTING) -> None:
    """Write an approved pack as HTML and PDF marked OFFICIAL-SENSITIVE, after verifying it
    again against the warehouse. Logged as a disclosure with author, approver and purpose."""
    from peel.intel.packs import export_pack

    files = export_pack(acting, item, purpose=purpose or "", out_dir=_out(out, f"item-{item}"))
    for kind, path in files.items():
        console.print(f"{kind.upper()}: {path}")


@intel_app.command("mine")
@errors_exit
def mine_command(text: str = typer.Argument(..., help="Free text, as an intelligence report is written.")) -> None:
    """The phone numbers, vehicle marks, postcodes and names a text mentions, each with the rule
    that found it and its confidence (no personal data is read: only the text given)."""
    from peel.intel.mining import mine_text

    table = Table("kind", "as written", "normalised", "rule", "confidence")
    for m in mine_text(text):
        table.add_row(m.kind, m.text, m.value, m.rule, f"{m.confidence:.2f}")
    console.print(table)


@intel_app.command("event")
@errors_exit
@refusals_exit
def event_command(
    venue: str = typer.Option(..., help="Where the event is, as the warehouse names venues."),
    day: str = typer.Option(..., "--date", help="The day of the event, YYYY-MM-DD."),
    attendance: int = typer.Option(..., help="Expected attendance."),
    risk: str = typer.Option(..., help="The risk level you set: low, medium or high (command_levels.yaml)."),
    name: str = typer.Option("", help="What the event is called, e.g. 'Chalk Town v Brackenholt Rovers'."),
    participant: list[str] = typer.Option([], help="A team, organiser or group taking part (repeat)."),
    cite: list[str] = typer.Option([], help="A past event to cite, 'NAME, YYYY-MM-DD' as recorded (repeat); "
                                   "refused if the warehouse does not hold it."),
    purpose: str | None = PURPOSE,
    acting: str | None = ACTING,
) -> None:
    """Assemble the cited history bearing on a planned public event (past events at the venue or
    with its participants, what was recorded on their days, intelligence mentioning them) and
    queue it, with the risk level you set, for the sign-off the force declares for that level."""
    from peel.intel.events import PlannedEvent, draft_assessment

    planned = PlannedEvent(name or venue, venue, day, attendance, tuple(participant))
    item, assessment = draft_assessment(acting, planned, risk=risk, purpose=purpose or "", cited=list(cite))
    for s in assessment["statements"]:
        console.print(f"{s['id']}: {s['claim']}")
    console.print(f"{len(assessment['statements'])} statements, each cited; {risk} risk, set by {acting}; queued "
                  f"as review item {item} for sign-off by {assessment['sign_off']}.")


@intel_app.command("sign-off")
@refusals_exit
def sign_off_command(item: int = ITEM_ID, reason: str = REASON,
                     reject: bool = typer.Option(False, "--reject", help="Reject the assessment instead."),
                     acting: str | None = ACTING) -> None:
    """Sign off (or --reject) an event risk assessment: only the command level its risk needs."""
    from peel.intel.events import sign_off_assessment

    sign_off_assessment(acting, item, approve=not reject, reason=reason)
    console.print(f"Review item {item} {'rejected' if reject else 'signed off'}.")


@intel_app.command("risk")
@refusals_exit
def risk_command(item: int = ITEM_ID,
                 risk: str = typer.Option(..., help="The new risk level: low, medium or high (command_levels.yaml)."),
                 reason: str = typer.Option(..., "--reason", help="Why the level changes (kept in the audit log)."),
                 acting: str | None = ACTING) -> None:
    """Change the risk level of an event risk assessment awaiting sign-off: anyone who may read it
    may raise it; lowering it takes someone who may sign off at its current level."""
    from peel.intel.events import set_risk

    set_risk(acting, item, risk=risk, reason=reason)
    console.print(f"Review item {item}: risk level now {risk}.")
