"""The meeting's pages: the pack for any month (HTML or PDF, to download) and the actions
each meeting agreed (the PCC's office records them, the force updates them).

The pack's pages and the actions are one domain because both are the meeting's: the pack
opens with the actions, and the same roles open both. Every route only passes the signed-in
user through; the casebook functions check what the user's role allows (a refusal becomes a
403 page) and log each change. Packs are aggregates, so reading them needs read_aggregates.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

import duckdb
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from peel.casebook import (
    ACTION_STATUSES,
    Action,
    Actor,
    Domain,
    InvalidInput,
    list_meeting_actions,
    read_day,
    read_month,
    record_meeting_action,
    transaction,
    update_meeting_action,
)
from peel.measures.periods import add_months, format_month, parse_month
from peel.warehouse.database import get_last_day_covered
from peel.web.downloads import DataTable, TableFormat, table_response
from peel.web.input_route import InputRoute, requires_grant
from peel.web.layout import render_page
from peel.web.links import Link
from peel.web.visitor import require_actor, require_grant
from peel.web.warehouse import open_published, open_published_if_any

router = APIRouter(route_class=InputRoute)  # the role checked before the input is read
FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}
MONTHS_OFFERED = 36  # the months the pack page offers, back from the latest the data covers


def links(actor: Actor) -> list[Link]:
    if not actor.role.allows(Action.READ_AGGREGATES):
        return []
    return [Link("Meeting pack", "/pack", "The Accountability and Performance Meeting's pack for any month, "
                 "as a PDF or a web page."),
            Link("Meeting actions", "/actions", "The actions each meeting agreed, their owners and the force's "
                 "progress on them.")]


def require_aggregates(request: Request, actor: Actor = Depends(require_actor)) -> Actor:
    """The signed-in user, if their role may read aggregates (a refusal is logged)."""
    return require_grant(request, actor, Action.READ_AGGREGATES)


# ---- the pack ----------------------------------------------------------------------------


@router.get("/pack")
def show_pack_page(request: Request, actor: Actor = Depends(require_aggregates)) -> Response:
    latest = read_latest_month(request)
    months = [] if latest is None else [add_months(latest, -n) for n in range(MONTHS_OFFERED)]
    return render_page(request, "pack/web_pack.html.j2", title="Meeting pack",
                       months=[(f"{m:%Y-%m}", format_month(m)) for m in months])


@router.get("/pack/download")
def download_pack(request: Request, month: str, format: str = "pdf",
                  actor: Actor = Depends(require_aggregates)) -> Response:
    """The pack for ``month``, built on first request and kept while the data and actions stay
    as they were."""
    if format not in FORMATS:
        raise HTTPException(400, f"There is no pack as {format!r}: choose {' or '.join(FORMATS)}.")
    try:
        reporting_month = parse_month(month)
    except ValueError as error:
        raise HTTPException(400, str(error)) from None
    with open_published(request) as con:
        folder = get_pack(request.app.state.settings, con, reporting_month)
    return FileResponse(folder / f"pack.{format}", media_type=FORMATS[format],
                        filename=f"pack-{reporting_month:%Y-%m}.{format}")


def get_pack(settings, con: duckdb.DuckDBPyConnection, month: date) -> Path:
    """The folder holding the month's pack for the current data and actions, built if needed.
    A pack is written beside its final place and moved there whole, so a request never
    serves half a pack."""
    from peel.pack.build import build_pack, read_pack_actions  # the measures and the PDF engine

    actions = read_pack_actions(month, settings.casebook_url)
    batch = con.execute("SELECT max(batch_id) FROM ingest_batch").fetchone()[0]
    state = repr([(a.id, a.status, a.evidence, a.updated_at) for a in actions]).encode()
    folder = settings.outputs_dir / "web-packs" / (
        f"pack-{month:%Y-%m}-batch-{batch}-actions-{hashlib.sha256(state).hexdigest()[:12]}")
    if not folder.exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".building-"))
        try:
            build_pack(con, month, scratch, actions=actions)
            os.replace(scratch, folder)
        except OSError:
            if not folder.exists():  # another request moved its copy first: use that one
                raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return folder


def read_latest_month(request: Request) -> date | None:
    """The latest month the warehouse has data for; None when there is no warehouse yet (the
    page then offers no month, rather than refusing: it holds no figures itself)."""
    with open_published_if_any(request) as con:
        last_day = None if con is None else get_last_day_covered(con)  # worked out once per generation
    return None if last_day is None else last_day.replace(day=1)




# ---- meeting actions ---------------------------------------------------------------------


def casebook(request: Request, readonly: bool = False):
    """A transaction in this installation's casebook."""
    return transaction(request.app.state.settings.casebook_url, readonly=readonly)


def read_actions(request: Request, actor: Actor) -> list:
    with casebook(request, readonly=True) as session:
        return list_meeting_actions(session, actor.username)


def actions_table(actions: list) -> DataTable:
    """The actions as the page lists them (owners are posts, not people: no personal data)."""
    rows = [[a.id, f"{a.meeting_month:%B %Y}", a.agenda_item, a.text, a.owner, f"{a.due_date:%d %B %Y}",
             a.status_label, (a.evidence or "") + (f" ({a.updated_by}, {a.updated_at:%d %B %Y})"
                                                   if a.updated_at else "")] for a in actions]
    return DataTable("meeting-actions", "Actions, oldest meeting first",
                     ["Number", "Meeting", "Agenda item", "Action", "Owner", "Due", "Status", "Evidence"], rows)


@router.get("/actions.{format}")
def download_actions(request: Request, format: TableFormat, actor: Actor = Depends(require_actor)) -> Response:
    return table_response(actions_table(read_actions(request, actor)), format)


def actions_page(request: Request, actor: Actor, status_code: int = 200, **form) -> Response:
    actions = read_actions(request, actor)
    return render_page(request, "pack/web_actions.html.j2", status_code=status_code, title="Meeting actions",
                       actions=actions, table=actions_table(actions), may_record=actor.role.allows(Action.RECORD_MEETING_ACTIONS, Domain.PACK),
                       may_update=actor.role.allows(Action.UPDATE_MEETING_ACTIONS, Domain.PACK),
                       form=form.get("form", {}), error=form.get("error"), recorded=form.get("recorded"))


@router.get("/actions")
def show_actions(request: Request, recorded: int | None = None, actor: Actor = Depends(require_actor)) -> Response:
    return actions_page(request, actor, recorded=recorded)


@router.post("/actions")
@requires_grant(Action.RECORD_MEETING_ACTIONS)
def add_action(request: Request, meeting: str = Form(""), item: str = Form(""), text: str = Form(""),
               owner: str = Form(""), due: str = Form(""), actor: Actor = Depends(require_actor)) -> Response:
    form = {"meeting": meeting, "item": item, "text": text, "owner": owner, "due": due}
    try:
        with casebook(request) as session:
            number = record_meeting_action(session, actor.username, meeting_month=read_month(meeting),
                                           agenda_item=item, text=text, owner=owner, due_date=read_day(due))
    except InvalidInput as error:
        return actions_page(request, actor, 400, form=form, error=str(error))
    return RedirectResponse(f"/actions?recorded={number}", status_code=303)


@router.get("/actions/{action_id}")
def show_action(request: Request, action_id: int, actor: Actor = Depends(require_actor)) -> Response:
    return action_page(request, actor, action_id)


@router.post("/actions/{action_id}")
@requires_grant(Action.UPDATE_MEETING_ACTIONS)
def change_action(request: Request, action_id: int, status: str = Form(""), evidence: str = Form(""),
                  actor: Actor = Depends(require_actor)) -> Response:
    try:
        with casebook(request) as session:
            update_meeting_action(session, actor.username, action_id, status=status, evidence=evidence)
    except InvalidInput as error:
        return action_page(request, actor, action_id, 400, error=str(error), status=status, evidence=evidence)
    return RedirectResponse(f"/actions#action-{action_id}", status_code=303)


def action_page(request: Request, actor: Actor, action_id: int, status_code: int = 200, **form) -> Response:
    require_grant(request, actor, Action.UPDATE_MEETING_ACTIONS, Domain.PACK)
    with casebook(request, readonly=True) as session:
        found = [a for a in list_meeting_actions(session, actor.username) if a.id == action_id]
    if not found:
        raise HTTPException(404)
    return render_page(request, "pack/web_action.html.j2", status_code=status_code,
                       title=f"Update action {action_id}", action=found[0], statuses=ACTION_STATUSES,
                       error=form.get("error"), status=form.get("status", found[0].status),
                       evidence=form.get("evidence", ""))
