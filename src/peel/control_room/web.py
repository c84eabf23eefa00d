"""The control room's web pages, for control-room managers and everyone who reads aggregate
figures: last month's answer and attendance performance, the forecast for the next two weeks
and the staffing proposed against the roster worked (the pack section's content, over the same
functions); the forecast by channel, grade or district with its intervals, the staffing hour by
hour, the roster proposed, and the staffing proposals with their decisions (a control-room
manager decides them here); and a JSON API of the same under ``/api/control-room/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import duckdb
from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from peel.casebook import Action, Actor, transaction
from peel.control_room.proposal import CHANNELS, DECISIONS, decide_staffing, list_staffing_proposals
from peel.control_room.section import (
    FORECAST_BY,
    ControlRoomSection,
    as_rows,
    daily_forecast,
    forecast_ahead,
    get_control_room_section,
    get_data_to,
    officer_rows,
    render_control_room_section,
    roster_grid,
)
from peel.control_room.standards import get_standards
from peel.measures.periods import parse_month
from peel.warehouse.generations import remember
from peel.web.input_route import InputRoute, requires_grant
from peel.web.layout import render_page
from peel.web.links import Link
from peel.web.visitor import require_actor, require_grant
from peel.web.warehouse import open_published

router = APIRouter(route_class=InputRoute)
TITLE = "Control room"


def links(actor: Actor) -> list[Link]:
    if not actor.role.allows(Action.READ_AGGREGATES):
        return []
    return [Link(TITLE, "/control-room", "Calls and incidents, their forecast, and the staffing it takes.")]


# The control room's pages, in the order the page's navigation lists them.
PAGES = [("/control-room", "Summary"), ("/control-room/forecast", "Forecast"),
         ("/control-room/staffing", "Staffing by hour"), ("/control-room/roster", "Roster"),
         ("/control-room/proposals", "Proposals and decisions")]


def require_aggregates(request: Request, actor: Actor = Depends(require_actor)) -> Actor:
    return require_grant(request, actor, Action.READ_AGGREGATES)


def open_data(request: Request) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The published warehouse snapshot; None when it holds no calls (before any data is
    loaded: ``open_published``'s 503 page)."""
    with open_published(request) as con:
        yield con if get_data_to(con) else None


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
    return render_page(request, "control_room/page.html.j2", title=TITLE, pages=PAGES,
                       content=Markup(render_control_room_section(section)))


def get_forecast(con: duckdb.DuckDBPyConnection, by: str) -> list[dict]:
    """The 14 days' forecast per day and series, once per published generation and breakdown."""
    if by not in FORECAST_BY:
        raise HTTPException(400, f"Unknown breakdown '{by}': choose one of {', '.join(FORECAST_BY)}.")
    return remember(con, "control_room_forecast", (by,),
                    lambda: daily_forecast(forecast_ahead(con, get_data_to(con), 14, by)))


@router.get("/control-room/forecast")
def show_forecast(request: Request, by: str = Query("channel"), actor: Actor = Depends(require_aggregates),
                  con: duckdb.DuckDBPyConnection | None = Depends(open_data)) -> Response:
    if con is None:
        return render_page(request, "control_room/no_data.html.j2", title=TITLE)
    rows = [[r["day"], r["series"], f"{r['mean']:,}", f"{r['low']:,} to {r['high']:,}"] for r in get_forecast(con, by)]
    return render_page(request, "control_room/table.html.j2", title="Control room: forecast", pages=PAGES,
                       choices=[(b, f"/control-room/forecast?by={b}") for b in FORECAST_BY if b != "all"], chosen=by,
                       intro="Contacts and incidents forecast for each of the 14 days after the data ends: the sum "
                             "of hourly forecasts, each the same local hour of the week averaged over recent weeks. "
                             "The range is the hourly 80% intervals summed, wider than a day's own interval.",
                       headers=["Day", "Series", "Forecast", "Range"], rows=rows)


@router.get("/control-room/staffing")
def show_staffing(request: Request, actor: Actor = Depends(require_aggregates),
                  con: duckdb.DuckDBPyConnection | None = Depends(open_data)) -> Response:
    if con is None or (week := get_section(con, choose_month(con, None)).week) is None:
        return render_page(request, "control_room/no_data.html.j2", title=TITLE)
    headers = ["Hour (UK time)"] + [f"{c} {what}" for c in CHANNELS for what in ("calls", "proposed", "worked")]
    rows = [[h["label"], *[v for c in CHANNELS for v in (f"{h[f'calls_{c}']:.1f}", h[f"handlers_{c}"], h[f"worked_{c}"])]]
            for h in week.hours.to_dict(orient="records")]
    return render_page(request, "control_room/table.html.j2", title="Control room: staffing by hour", pages=PAGES,
                       intro=f"Call handlers proposed for each hour of the week from {week.week_start:%d %B %Y} to "
                             "meet each line's answer standard (Erlang C on the forecast calls), beside the roster "
                             "worked.", headers=headers, rows=rows)


@router.get("/control-room/roster")
def show_roster(request: Request, actor: Actor = Depends(require_aggregates),
                con: duckdb.DuckDBPyConnection | None = Depends(open_data)) -> Response:
    if con is None:
        return render_page(request, "control_room/no_data.html.j2", title=TITLE)
    section = get_section(con, choose_month(con, None))
    return render_page(request, "control_room/roster.html.j2", title="Control room: roster", pages=PAGES,
                       section=section, grid=roster_grid(section.roster) if section.roster is not None else None,
                       officers=officer_rows(section.officers), standards=get_standards())


@router.get("/control-room/proposals")
def show_proposals(request: Request, decided: int | None = None, actor: Actor = Depends(require_actor)) -> Response:
    with transaction(request.app.state.settings.casebook_url) as session:
        proposals = list_staffing_proposals(session, actor.username)
    return render_page(request, "control_room/proposals.html.j2", title="Control room: proposals and decisions",
                       pages=PAGES, proposals=proposals, decided=decided, decisions=DECISIONS,
                       may_decide=actor.role.allows(Action.DECIDE_REVIEW, "control_room"))


@router.post("/control-room/proposals/{item_id}/decision")
@requires_grant(Action.DECIDE_REVIEW, review_item=True)
def decide_proposal(request: Request, item_id: int, decision: str = Form(""), reason: str = Form(""),
                    changes: str = Form(""), actor: Actor = Depends(require_actor)) -> Response:
    decide(request, actor, item_id, decision, reason, changes)
    return RedirectResponse(f"/control-room/proposals?decided={item_id}", status_code=303)


def decide(request: Request, actor: Actor, item_id: int, decision: str, reason: str, changes: str) -> None:
    """A manager's decision, as ``decide_staffing`` takes it; a change's hours as 'LABEL=N' lines."""
    changed = {}
    for line in filter(None, (x.strip() for x in changes.splitlines())):
        label, _, value = line.rpartition("=")
        if not label or not value.strip().isdigit():
            raise HTTPException(400, f"Changed hour {line!r}: write each as LABEL=HANDLERS, e.g. "
                                     "'2026-03-02 08:00 GMT=9', one a line.")
        changed[label.strip()] = int(value)
    try:
        with transaction(request.app.state.settings.casebook_url) as session:
            decide_staffing(session, actor.username, item_id, decision, reason, changed or None)
    except ValueError as error:
        raise HTTPException(400, str(error)) from None


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


@api.get("/forecast")
def get_forecast_json(by: str = Query("channel", description="channel, grade, district or all."),
                      actor: Actor = Depends(require_aggregates),
                      con: duckdb.DuckDBPyConnection | None = Depends(open_data)) -> dict:
    """The 14 days' forecast per day and series, with the rough range (hourly 80% intervals summed)."""
    return {"by": by, "days": [] if con is None else get_forecast(con, by)}


@api.get("/staffing")
def get_staffing_json(actor: Actor = Depends(require_aggregates),
                      con: duckdb.DuckDBPyConnection | None = Depends(open_data)) -> dict:
    """Call handlers proposed and worked per hour of the last full week."""
    week = None if con is None else get_section(con, choose_month(con, None)).week
    if week is None:
        return {"week_start": None, "hours": []}
    return {"week_start": week.week_start.isoformat(), **week.totals(),
            "hours": week.hours.drop(columns=["ds"]).to_dict(orient="records")}


@api.get("/roster")
def get_roster_json(actor: Actor = Depends(require_aggregates),
                    con: duckdb.DuckDBPyConnection | None = Depends(open_data)) -> dict:
    """The 999 handlers' roster proposed (staff starting each shift, day by day) and the
    response officers per district and shift pattern."""
    section = None if con is None else get_section(con, choose_month(con, None))
    if section is None or section.roster is None:
        return {"handlers": None, "officers": [], "notes": list(section.notes) if section else []}
    return {"handlers": {**roster_grid(section.roster), "posts": section.roster.posts.to_dict(orient="records")},
            "officers": officer_rows(section.officers), "notes": list(section.notes)}


@api.get("/proposals")
def get_proposals_json(request: Request, actor: Actor = Depends(require_actor)) -> list[dict]:
    """The staffing proposals with their totals and decisions (a review queue in the control room needed)."""
    with transaction(request.app.state.settings.casebook_url) as session:
        return [{**p, "created_at": p["created_at"].isoformat()} for p in list_staffing_proposals(session, actor.username)]


router.include_router(api)
