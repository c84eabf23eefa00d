"""The firearms licensing pages and JSON API: the backlog and forecast for managers and the
PCC's office (aggregates), the oldest cases for licensing staff (personal data: a purpose,
logged by ``backlog.oldest_cases``), over the same functions as ``peel firearms``; the
caseload, cases, safeguarding alerts and action plan are in ``pages``."""

from __future__ import annotations

import duckdb
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from peel.casebook import Action, Actor
from peel.firearms import pages
from peel.firearms.backlog import build_backlog, data_to, oldest_cases
from peel.firearms.pages import DOMAIN, open_register, require_aggregates, require_licensing
from peel.firearms.rules import STAGE_NAMES, STAGES
from peel.warehouse.generations import remember
from peel.web.input_route import InputRoute
from peel.web.layout import render_page
from peel.web.links import Link

router = APIRouter(route_class=InputRoute)  # a bad month or value: 400, saying which
router.include_router(pages.router)  # the caseload, a case, safeguarding alerts, the action plan


def links(actor: Actor) -> list[Link]:
    found = []
    if actor.role.allows(Action.READ_AGGREGATES):
        found.append(Link("Firearms licensing", "/firearms", "Outstanding renewals by year due, throughput, "
                          "the forecast for a staffing, the inbox and the action plan."))
    if actor.role.allows(Action.READ_PERSONAL, DOMAIN):
        found.append(Link("Oldest renewals", "/firearms/oldest", "The oldest outstanding renewals and their "
                          "stage (you state why; each view is logged)."))
        found.append(Link("Renewal cases", "/firearms/cases", "Renewals worked as cases: stages, extensions, "
                          "permits, grants, refusals and revocations."))
        found.append(Link("Safeguarding alerts", "/firearms/safeguarding", "Holders linked to a concerning "
                          "record, waiting for your decision."))
    return found


def get_summary(con: duckdb.DuckDBPyConnection, staff: int) -> dict:
    """The backlog and forecast, worked out once per published generation and staffing."""
    from peel.firearms.forecast import forecast_clearance

    def build() -> dict:
        day = data_to(con)
        backlog = build_backlog(con, day)
        try:
            forecast, note = forecast_clearance(con, day, staff), None
        except ValueError as error:
            forecast, note = None, str(error)
        return {"backlog": backlog, "forecast": forecast, "note": note}

    return remember(con, "firearms_summary", (staff,), build)


@router.get("/firearms")
def backlog_page(request: Request, staff: int = Query(0, ge=-50, le=100),
                 actor: Actor = Depends(require_aggregates), con=Depends(open_register)) -> Response:
    if con is None:
        return render_page(request, "firearms/no_data.html.j2", title="Firearms licensing")
    return render_page(request, "firearms/backlog.html.j2", title="Firearms licensing", staff=staff,
                       stages=STAGES, stage_names=STAGE_NAMES, **get_summary(con, staff))


@router.get("/firearms/oldest")
def oldest_page(request: Request, purpose: str | None = None, actor: Actor = Depends(require_licensing),
                con=Depends(open_register)) -> Response:
    if con is None:
        return render_page(request, "firearms/no_data.html.j2", title="Oldest renewals")
    rows = oldest_cases(con, actor.username, purpose=purpose) if purpose else None
    return render_page(request, "firearms/oldest.html.j2", title="Oldest renewals", rows=rows, purpose=purpose or "")


# JSON API ------------------------------------------------------------------------------------

@router.get("/api/firearms/backlog", tags=["firearms"])
def backlog_api(staff: int = Query(0, ge=-50, le=100), actor: Actor = Depends(require_aggregates),
                con=Depends(open_register)) -> dict:
    """Outstanding renewals by year due, the change in a month, throughput per week by stage,
    the inbox, the action plan and the forecast for a staffing (aggregates)."""
    if con is None:
        return {"register": False}
    summary = get_summary(con, staff)
    b, f = summary["backlog"], summary["forecast"]
    return {
        "register": True, "as_of": b.as_of, "outstanding_by_year_due": b.by_year, "outstanding": b.total,
        "month_before": b.month_before, "throughput": b.throughput, "inbox": b.inbox, "policies": b.policies,
        "forecast": None if f is None else {
            "officers": f.officers, "extra": f.extra, "method": f.method,
            "cohorts": [{"year_due": c.year_due, "outstanding": c.outstanding, "clears": c.clears,
                         "earliest": c.earliest, "latest": c.latest} for c in f.cohorts]},
        "forecast_note": summary["note"],
    }


@router.get("/api/firearms/oldest", tags=["firearms"])
def oldest_api(purpose: str = Query(..., description="Why you need it (logged)."), limit: int = Query(20, ge=1, le=500),
               actor: Actor = Depends(require_licensing), con=Depends(open_register)) -> list[dict]:
    """The oldest outstanding renewals (personal data: logged with the purpose)."""
    if con is None:
        return []
    return oldest_cases(con, actor.username, purpose=purpose, limit=limit)
