"""Leadership and wellbeing in the web app: the month's figures (what the pack shows) as a
page, and as JSON under /api/workforce. Aggregates only (read_aggregates); a person's sickness
is personal data, read only through ``people.list_sickness`` (not offered on the web yet).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import duckdb
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from markupsafe import Markup

from peel.casebook import Action, Actor
from peel.measures.periods import parse_month
from peel.warehouse import open_snapshot
from peel.warehouse.generations import remember
from peel.web.input_route import InputRoute
from peel.web.layout import render_page
from peel.web.links import Link
from peel.web.visitor import require_actor, require_grant
from peel.workforce import figures
from peel.workforce.api import describe_section
from peel.workforce.section import get_workforce_section, render_workforce_section

router = APIRouter(route_class=InputRoute)  # a bad month or value: 400, saying which
TITLE = "Leadership and wellbeing"


def links(actor: Actor) -> list[Link]:
    if not actor.role.allows(Action.READ_AGGREGATES):
        return []
    return [Link(TITLE, "/workforce", "Training by rank, sickness, wellbeing and assaults on staff.")]


def require_aggregates(request: Request, actor: Actor = Depends(require_actor)) -> Actor:
    return require_grant(request, actor, Action.READ_AGGREGATES)


@contextlib.contextmanager
def _data(request: Request) -> Iterator[duckdb.DuckDBPyConnection | None]:
    try:
        with open_snapshot(request.app.state.settings.warehouse_path) as con:
            yield con if figures.get_data_to(con) else None
    except FileNotFoundError:
        yield None


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
        return render_page(request, "workforce/page.html.j2", title=TITLE, section=section,
                           content=Markup(render_workforce_section(section)))


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
