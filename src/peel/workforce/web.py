"""Leadership and wellbeing in the web app: the month's figures (what the pack shows) as a
page, and as JSON under /api/workforce, for every role that reads aggregates; and one
person's sickness record (``/workforce/sickness``, ``/api/workforce/sickness/{staff number}``)
for a role that may read personal data in the workforce domain, read only through
``people.list_sickness``, which checks the role and the stated purpose and logs the consultation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import duckdb
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from markupsafe import Markup

from peel.casebook import Action, Actor
from peel.measures.periods import parse_month
from peel.warehouse.generations import remember
from peel.web.input_route import InputRoute
from peel.web.layout import render_page
from peel.web.links import Link
from peel.web.visitor import require_actor, require_grant
from peel.web.warehouse import open_published
from peel.workforce import figures
from peel.workforce.api import describe_section
from peel.workforce.people import WORKFORCE_DOMAIN, UnknownStaffNumber, list_sickness
from peel.workforce.section import get_workforce_section, render_workforce_section

router = APIRouter(route_class=InputRoute)  # a bad month or value: 400, saying which
TITLE = "Leadership and wellbeing"
SICKNESS_TITLE = "A person's sickness record"


def links(actor: Actor) -> list[Link]:
    found = []
    if actor.role.allows(Action.READ_AGGREGATES):
        found.append(Link(TITLE, "/workforce", "Training by rank, sickness, wellbeing and assaults on staff."))
    if actor.role.allows(Action.READ_PERSONAL, WORKFORCE_DOMAIN):
        found.append(Link(SICKNESS_TITLE, "/workforce/sickness", "One person's sickness absence spells, by staff "
                          "number (you state why; each view is logged)."))
    return found


def require_aggregates(request: Request, actor: Actor = Depends(require_actor)) -> Actor:
    return require_grant(request, actor, Action.READ_AGGREGATES)


def require_personal(request: Request, actor: Actor = Depends(require_actor)) -> Actor:
    return require_grant(request, actor, Action.READ_PERSONAL, WORKFORCE_DOMAIN)


@contextlib.contextmanager
def _data(request: Request) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The published snapshot; None when it holds no workforce records (before any data is
    loaded: ``open_published``'s 503 page)."""
    with open_published(request) as con:
        yield con if figures.get_data_to(con) else None


def _section(con: duckdb.DuckDBPyConnection, month: str | None):
    chosen = parse_month(month) if month else figures.get_data_to(con).replace(day=1)
    return remember(con, "workforce_section", (chosen,), lambda: get_workforce_section(con, chosen))


@router.get("/workforce")
def show_workforce(request: Request, month: str | None = None, actor: Actor = Depends(require_aggregates)) -> Response:
    with _data(request) as con:
        if con is None:
            return render_page(request, "workforce/page.html.j2", title=TITLE, content=None)
        try:
            section = _section(con, month)
        except ValueError as error:
            raise HTTPException(400, str(error)) from error
        # Drawn once per published generation and month: the charts take a while to draw.
        content = remember(con, "workforce_section_html", (section.month,),
                           lambda: Markup(render_workforce_section(section)))
        return render_page(request, "workforce/page.html.j2", title=TITLE, section=section, content=content)


@router.get("/workforce/sickness")
def show_sickness(request: Request, staff_number: str | None = None, purpose: str | None = None,
                  actor: Actor = Depends(require_personal)) -> Response:
    """The form (a staff number and why), then the person's spells: ``list_sickness`` checks
    the role and purpose and logs the consultation; nothing is read until both are given."""
    asked = {"staff_number": (staff_number or "").strip(), "purpose": (purpose or "").strip()}
    spells, problem = None, None
    if asked["staff_number"] and asked["purpose"]:
        with _data(request) as con:
            if con is None:
                return render_page(request, "workforce/page.html.j2", title=TITLE, content=None)
            try:
                spells = list_sickness(con, asked["staff_number"], username=actor.username, purpose=asked["purpose"])
            except UnknownStaffNumber as error:
                problem = str(error)
    elif staff_number is not None or purpose is not None:
        problem = "Give both the staff number and why you need the record."
    return render_page(request, "workforce/sickness.html.j2", title=SICKNESS_TITLE, spells=spells,
                       problem=problem, status_code=400 if problem else 200, **asked)


@router.get("/api/workforce")
def api_workforce(request: Request, month: str | None = None, actor: Actor = Depends(require_aggregates)) -> Response:
    """The month's leadership and wellbeing figures as JSON (default: the data's last month)."""
    with _data(request) as con:
        if con is None:
            raise HTTPException(404, "No workforce records are loaded yet ('peel demo-data').")
        try:
            return JSONResponse(describe_section(_section(con, month)))
        except ValueError as error:
            raise HTTPException(400, str(error)) from error


@router.get("/api/workforce/sickness/{staff_number}")
def api_sickness(request: Request, staff_number: str,
                 purpose: str = Query(..., description="Why you need this person's sickness record (logged)."),
                 actor: Actor = Depends(require_personal)) -> list[dict]:
    """One person's sickness absence spells, newest first (personal data: logged with the purpose)."""
    with _data(request) as con:
        if con is None:
            raise HTTPException(404, "No workforce records are loaded yet ('peel demo-data').")
        try:
            spells = list_sickness(con, staff_number, username=actor.username, purpose=purpose)
        except UnknownStaffNumber as error:
            raise HTTPException(404, str(error)) from error
    return [{"staff_number": s.staff_number, "rank_or_grade": s.rank_or_grade, "team": s.team,
             "start_date": s.start_date.isoformat(), "end_date": s.end_date.isoformat() if s.end_date else None,
             "reason": s.reason} for s in spells]
