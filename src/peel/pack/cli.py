"""``peel pack``: write the month's meeting pack; ``peel actions``: the actions each meeting
agreed (the PCC's office adds them, the force updates them; see docs/pack.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from peel.casebook import (
    ACTION_STATUSES,
    CasebookError,
    list_meeting_actions,
    read_day,
    read_month,
    record_meeting_action,
    record_pack_publication,
    transaction,
    update_meeting_action,
)
from peel.casebook.cli import (
    ACTING,
    ACTING_NAME,
    format_uk,
    make_table,
    refusals_exit,
    signed_in_user,
)
from peel.console import Console, error_line  # reads no markup; escapes control characters
from peel.measures.periods import parse_day, parse_month
from peel.settings import get_settings
from peel.warehouse.cli import open_warehouse

actions_app = typer.Typer(help="Actions agreed at the PCC's meetings: add, list, update their status.",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("pack")(pack)
    app.add_typer(actions_app, name="actions")


def pack(
    ctx: typer.Context,
    month: str = typer.Option(..., help="The meeting's reporting month, YYYY-MM."),
    out: str = typer.Option(None, help="Folder to write to; default PEEL_HOME/outputs/pack-YYYY-MM."),
    agenda: Path = typer.Option(None, help="The meeting's agenda, a YAML file (docs/pack.md); "
                                "default: the seed meeting's five items."),
    as_of: str = typer.Option(None, help="Rebuild from the data as it stood at the end of this day, "
                              "YYYY-MM-DD: later loads and outcomes ignored."),
    publish: bool = typer.Option(False, help="Record the pack's checksums and data snapshot in the "
                                 "audit log, as the pack the meeting was given (needs `peel login`)."),
    acting: str = ACTING_NAME,
) -> None:
    """Write the meeting pack (HTML and PDF): a cover, one section per agenda item with each
    figure's definition, comparison and chart, and the data snapshot it came from."""
    from peel.pack.agenda import read_agenda
    from peel.pack.build import (  # the measures, charts and PDF engine: only when needed
        build_pack,
        read_pack_actions,
    )

    # Building a pack reads aggregates only; publishing it writes the audit log as a signed-in user.
    publisher = signed_in_user(ctx, acting) if publish else None
    console = Console()
    try:
        reporting_month = parse_month(month)
        items = read_agenda(agenda)  # a mistake in the agenda is refused before any work
        day = parse_day(as_of, "--as-of") if as_of else None
        con = open_warehouse(read_only=True) if day is None else open_as_of(day)
        name = f"pack-{reporting_month:%Y-%m}" + (f"-as-of-{day.isoformat()}" if day else "")
        folder = get_settings().outputs_dir / name if out is None else Path(out)
        with console.status("Computing measures and rendering the pack..."):
            result = build_pack(con, reporting_month, folder, items, read_pack_actions(reporting_month), day)
        if publish:
            with transaction() as session:
                record_pack_publication(session, publisher, month=reporting_month, as_of=day,
                                        figures_checksum=result.figures_checksum, files=result.file_checksums(),
                                        snapshot=result.snapshot)
    except (ValueError, CasebookError) as error:
        Console(stderr=True).print(error_line(error))
        raise typer.Exit(2) from None
    console.print(f"Pack written to {result.folder}\n  {result.html.name}\n  {result.pdf.name}")
    console.print(f"Figures checksum (SHA-256): {result.figures_checksum}; data: generation "
                  f"{result.snapshot['generation']}, batch {result.snapshot['latest_batch']}"
                  + ("; recorded in the audit log." if publish else "."), markup=False)


def open_as_of(day):
    """A read-only connection to the warehouse generation as it stood at the end of ``day``."""
    from peel.warehouse.database import check_schema, open_file
    from peel.warehouse.generations import find_generation

    con = open_file(find_generation(None, day), read_only=True)
    check_schema(con)
    return con


@actions_app.command("add")
@refusals_exit
def actions_add(
    text: str = typer.Argument(..., help="The action, as the meeting agreed it."),
    meeting: str = typer.Option(..., help="The meeting's month (its pack's), YYYY-MM."),
    item: str = typer.Option(..., help="The agenda item it came from, e.g. Burglary."),
    owner: str = typer.Option(..., help="The post that owns it, e.g. 'Head of Crime' (a post, never a name)."),
    due: str = typer.Option(..., help="When it is due, YYYY-MM-DD."),
    acting: str = ACTING,
) -> None:
    """Record an action agreed at a meeting (the PCC's office)."""
    with transaction() as session:
        number = record_meeting_action(session, acting, meeting_month=read_month(meeting),
                                       agenda_item=item, text=text, owner=owner, due_date=read_day(due))
    Console().print(f"Recorded action {number}.")


@actions_app.command("list")
@refusals_exit
def actions_list(
    meeting: str = typer.Option(None, help="Only this meeting's actions, YYYY-MM."),
    status: str = typer.Option(None, help=f"Only actions with this status: {', '.join(ACTION_STATUSES)}."),
    acting: str = ACTING,
) -> None:
    """List the meetings' actions, oldest meeting first."""
    with transaction(readonly=True) as session:
        actions = list_meeting_actions(session, acting, status=status,
                                       meeting_month=read_month(meeting) if meeting else None)
    table = make_table("id", "meeting", "agenda item", "action", "owner", "due", "status", "evidence",
                       "updated by", "updated (UK)")
    for a in actions:
        table.add_row(str(a.id), f"{a.meeting_month:%Y-%m}", a.agenda_item, a.text, a.owner, a.due_date.isoformat(),
                      a.status, a.evidence or "", a.updated_by or "", format_uk(a.updated_at))
    Console().print(table if actions else "No actions.")


@actions_app.command("update")
@refusals_exit
def actions_update(
    action_id: int = typer.Argument(..., help="The action's number, as `peel actions list` shows it."),
    status: str = typer.Option(..., help=f"Its status now: {', '.join(ACTION_STATUSES)}."),
    evidence: str = typer.Option(..., help="What was done, which the next meeting can check."),
    acting: str = ACTING,
) -> None:
    """Update an action's status with evidence (the force)."""
    with transaction() as session:
        update_meeting_action(session, acting, action_id, status=status, evidence=evidence)
    Console().print(f"Action {action_id} is now {status}.")
