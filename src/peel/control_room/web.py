"""The control room's web pages, for control-room managers and everyone who reads aggregate
figures: last month's answer and attendance performance, the forecast for the next two weeks
and the staffing proposed against the roster worked (the pack section's content, over the same
functions), and a JSON API of the same figures under ``/api/control-room/``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date

import duckdb
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from peel.casebook import Action, Actor
from peel.control_room.section import (
    ControlRoomSection,
    as_rows,
    get_control_room_section,
    get_data_to,
    render_control_room_section,
)
from peel.measures.periods import parse_month
from peel.warehouse import open_snapshot
from peel.warehouse.generations import remember
from peel.web.input_route import InputRoute
from peel.web.layout import render_page
from peel.web.links import Link
from peel.web.visitor import require_actor, require_grant

router = APIRouter(route_class=InputRoute)
TITLE = "Control room"


def links(actor: Actor) -> list[Link]:
    if not actor.role.allows(Action.READ_AGGREGATES):
        return []
    return [Link(TITLE, "/control-room", "Calls and incidents, their forecast, and the staffing it takes.")]


def require_aggregates(request: Request, actor: Actor = Depends(require_actor)) -> Actor:
    return require_grant(request, actor, Action.READ_AGGREGATES)


def open_data(request: Request) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The published warehouse snapshot; None when there is none or it holds no calls."""
    with contextlib.ExitStack() as stack:
        try:
            con = stack.enter_context(open_snapshot(request.app.state.settings.warehouse_path))
        except FileNotFoundError:
            con = None
        yield con if con is not None and get_data_to(con) else None


def get_section(con: duckdb.DuckDBPyConnection, month: date) -> ControlRoomSection:
    """Built once per published warehouse generation and month (the forecast takes seconds)."""
    return remember(con, "control_room_section", (month,), lambda: get_control_room_section(con, month))


def choose_month(con: duckdb.DuckDBPyConnection, month: str | None) -> date:
    """The pack month whose 'last month' the page shows: by default the data's own month."""
    return parse_month(month, "month") if month else get_data_to(con).replace(day=1)


@router.get("/control-room")
def show_control_room(request: Request, month: str | None = Query(None),
                      actor: Actor = Depends(require_aggregates),
                      con: duckdb.DuckDBPyConnection | None = Depends(open_data)) -> Response:
    if con is None:
        return render_page(request, "control_room/no_data.html.j2", title=TITLE)
    section = get_section(con, choose_month(con, month))
    return render_page(request, "control_room/page.html.j2", title=TITLE,
                       content=Markup(render_control_room_section(section)))


api = APIRouter(prefix="/api/control-room", tags=["control room"], route_class=InputRoute)


@api.get("/summary")
def get_summary(month: str | None = Query(None, description="The pack month, YYYY-MM; default the data's."),
                actor: Actor = Depends(require_aggregates),
                con: duckdb.DuckDBPyConnection | None = Depends(open_data)) -> dict:
    """Last month's performance, the 14 days' forecast and the staffing gap, as the page shows them."""
    if con is None:
        return {"data_to": None, "performance": [], "forecast": [], "staffing": None}
    section = get_section(con, choose_month(con, month))
    return {
        "data_to": section.data_to.isoformat(), "month": section.month.strftime("%Y-%m"),
        "performance": as_rows(section.performance),
        "forecast": [{**row, "day": row["day"].isoformat()} for row in section.forecast],
        "staffing": None if section.week is None else {
            "week_start": section.week.week_start.isoformat(), **section.week.totals(),
            "hours_short_of_proposal": section.hours_short},
    }


router.include_router(api)
