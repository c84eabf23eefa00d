"""The licensing team's working pages and their JSON API: the renewal caseload, one case with
its stages, cover and decisions and the forms to move it on or decide it, the safeguarding
inbox, and the action plan (aggregates: the PCC's office sees it). Each page naming a holder
asks for a purpose first; the firearms functions check the role and write the audit entry
(the routes' own grant checks only spare a refused visitor the purpose form)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from typing import Literal
from urllib.parse import urlencode

import duckdb
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from peel.casebook import Action, Actor, InvalidInput, list_items, show_item, transaction
from peel.firearms import cases
from peel.firearms.backlog import action_plan, has_register
from peel.firearms.caseload import list_renewals, open_from_register, renewal_view
from peel.firearms.rules import DECISIONS, SAFEGUARDING_OUTCOMES, STAGE_NAMES, STAGES
from peel.firearms.safeguarding import KIND as ALERT
from peel.firearms.safeguarding import decide_alert
from peel.warehouse import open_snapshot
from peel.web.input_route import InputRoute, requires_grant
from peel.web.layout import render_page
from peel.web.visitor import require_actor, require_grant

router = APIRouter(route_class=InputRoute)
DOMAIN = "firearms"
# The stages recorded from the case page: 'received' comes with the case, 'decision' with deciding it.
Stage = Literal[STAGES[1:-1]]  # type: ignore[valid-type]
Decision = Literal[tuple(DECISIONS)]  # type: ignore[valid-type]
Outcome = Literal[tuple(SAFEGUARDING_OUTCOMES)]  # type: ignore[valid-type]
YEAR = Query(None, ge=1900, le=2200, description="Only certificates expiring in this year.")
STAGE = Query("", description="Only cases whose last stage is this one.")


def require_aggregates(request: Request, actor: Actor = Depends(require_actor)) -> Actor:
    return require_grant(request, actor, Action.READ_AGGREGATES)


def require_licensing(request: Request, actor: Actor = Depends(require_actor)) -> Actor:
    return require_grant(request, actor, Action.READ_PERSONAL, DOMAIN)


def open_register(request: Request) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The published warehouse snapshot; None when there is none or it has no register."""
    with contextlib.ExitStack() as stack:
        try:
            con = stack.enter_context(open_snapshot(request.app.state.settings.warehouse_path))
        except FileNotFoundError:
            con = None
        yield con if con is not None and has_register(con) else None


def casebook_url(request: Request) -> str:
    return request.app.state.settings.casebook_url


def case_address(case_id: int, purpose: str) -> str:
    return f"/firearms/cases/{case_id}?{urlencode({'purpose': purpose})}"


def read_caseload(request: Request, actor: Actor, purpose: str, year: int | None, stage: str) -> list[dict]:
    with transaction(casebook_url(request)) as session:
        return list_renewals(session, actor.username, purpose=purpose, year=year, stage=stage or None)


def read_case(request: Request, actor: Actor, case_id: int, purpose: str, on: date | None) -> dict:
    with transaction(casebook_url(request)) as session:
        return renewal_view(session, actor.username, case_id, purpose=purpose, on=on or date.today())


def read_alerts(request: Request, actor: Actor) -> list:
    with transaction(casebook_url(request)) as session:
        return [i for i in list_items(session, actor.username, domain=DOMAIN) if i.kind == ALERT]


@router.get("/firearms/cases")
def caseload_page(request: Request, purpose: str = "", year: int | None = YEAR, stage: str = STAGE,
                  actor: Actor = Depends(require_licensing)) -> Response:
    """Asks the purpose first; the open cases are listed (each one logged) once it is given."""
    rows = read_caseload(request, actor, purpose, year, stage) if purpose else None
    return render_page(request, "firearms/cases.html.j2", title="Renewal cases", rows=rows, purpose=purpose,
                       year=year, stage=stage, stages=STAGES, stage_names=STAGE_NAMES)


@router.get("/api/firearms/cases", tags=["firearms"])
def caseload_api(request: Request, purpose: str = Query(..., description="Why you need them (logged)."),
                 year: int | None = YEAR, stage: str = STAGE, actor: Actor = Depends(require_licensing)) -> list[dict]:
    """The open renewal cases, oldest expiry first (personal data: each case listed is logged)."""
    return read_caseload(request, actor, purpose, year, stage)


@router.get("/firearms/cases/{case_id}")
def case_page(request: Request, case_id: int, purpose: str = "", on: date | None = None,
              actor: Actor = Depends(require_licensing)) -> Response:
    case = read_case(request, actor, case_id, purpose, on) if purpose else None
    return render_page(request, "firearms/case.html.j2", title=f"Renewal case {case_id}", case=case,
                       case_id=case_id, purpose=purpose, stage_names=STAGE_NAMES, worked=STAGES[1:-1],
                       permit_weeks=cases.PERMIT_WEEKS)


@router.get("/api/firearms/cases/{case_id}", tags=["firearms"])
def case_api(request: Request, case_id: int, purpose: str = Query(..., description="Why you need it (logged)."),
             on: date | None = None, actor: Actor = Depends(require_licensing)) -> dict:
    """One renewal case: stages, cover on a day (today unless given), decisions (logged)."""
    return {k: v for k, v in read_case(request, actor, case_id, purpose, on).items() if k != "decision_choices"}


@router.post("/firearms/cases/{case_id}/stage")
def record_stage(request: Request, case_id: int, stage: Stage = Form(...), on: date = Form(...),
                 purpose: str = Form(""), actor: Actor = Depends(require_actor)) -> Response:
    with transaction(casebook_url(request)) as session:
        cases.record_stage(session, actor.username, case_id, stage=stage, on=on, purpose=purpose)
    return RedirectResponse(case_address(case_id, purpose), status_code=303)


@router.post("/firearms/cases/{case_id}/decision")
def decide_case(request: Request, case_id: int, decision: Decision = Form(...), on: date = Form(...),
                reason: str = Form(""), purpose: str = Form(""), actor: Actor = Depends(require_actor)) -> Response:
    with transaction(casebook_url(request)) as session:
        cases.decide(session, actor.username, case_id, decision=decision, on=on, reason=reason)
    return RedirectResponse(case_address(case_id, purpose or f"deciding the renewal: {reason}"), status_code=303)


class Permit(BaseModel):
    on: date  # the day it is issued
    weeks: int = cases.PERMIT_WEEKS
    reason: str


def issue_permit(request: Request, actor: Actor, case_id: int, permit: Permit) -> date:
    with transaction(casebook_url(request)) as session:
        return cases.issue_permit(session, actor.username, case_id, issued=permit.on, weeks=permit.weeks,
                                  reason=permit.reason)


@router.post("/firearms/cases/{case_id}/permit")
def issue_permit_form(request: Request, case_id: int, on: date = Form(...), weeks: int = Form(cases.PERMIT_WEEKS),
                      reason: str = Form(""), purpose: str = Form(""), actor: Actor = Depends(require_actor)) -> Response:
    """Issue an s7 temporary permit on the case (a licensing officer, with the reason)."""
    issue_permit(request, actor, case_id, Permit(on=on, weeks=weeks, reason=reason))
    return RedirectResponse(case_address(case_id, purpose or f"issuing an s7 permit: {reason}"), status_code=303)


@router.post("/api/firearms/cases/{case_id}/permit", tags=["firearms"])
def issue_permit_api(request: Request, case_id: int, body: Permit, actor: Actor = Depends(require_actor)) -> dict:
    """Issue an s7 temporary permit on a renewal case: from ``on`` for ``weeks`` weeks (8 unless
    stated), with the reason; returns its last day, worked out by the rules (logged)."""
    return {"case_id": case_id, "issued": body.on, "last_day": issue_permit(request, actor, case_id, body)}


@router.post("/firearms/applications/{ref}/case")
def open_case(request: Request, ref: str, purpose: str = Form(""), actor: Actor = Depends(require_actor)) -> Response:
    """Open a case for an outstanding renewal on the register (from the oldest renewals)."""
    with transaction(casebook_url(request)) as session:
        case_id = open_from_register(session, request.app.state.settings.warehouse_path, actor.username, ref,
                                     purpose=purpose)
    return RedirectResponse(case_address(case_id, purpose), status_code=303)


@router.get("/firearms/safeguarding")
def alerts_page(request: Request, decided: int | None = None, outcome: str = "",
                actor: Actor = Depends(require_licensing)) -> Response:
    """The safeguarding alerts waiting for a decision (summaries: no personal data)."""
    return render_page(request, "firearms/alerts.html.j2", title="Safeguarding alerts",
                       items=read_alerts(request, actor), decided=decided, outcome=outcome)


@router.get("/api/firearms/safeguarding", tags=["firearms"])
def alerts_api(request: Request, actor: Actor = Depends(require_licensing)) -> list[dict]:
    """The safeguarding alerts waiting for a decision (summaries)."""
    return [{"id": i.id, "summary": i.summary, "raised": i.created_at.isoformat()} for i in read_alerts(request, actor)]


@router.get("/firearms/safeguarding/{item_id}")
def alert_page(request: Request, item_id: int, purpose: str = "", actor: Actor = Depends(require_licensing)) -> Response:
    item = None
    if purpose:
        with transaction(casebook_url(request)) as session:
            item = show_item(session, actor.username, item_id, purpose=purpose)
        if (item.domain, item.kind) != (DOMAIN, ALERT):
            raise InvalidInput(f"Review item {item_id} is not a firearms safeguarding alert.")
    return render_page(request, "firearms/alert.html.j2", title=f"Safeguarding alert {item_id}", item=item,
                       item_id=item_id, purpose=purpose, outcomes=SAFEGUARDING_OUTCOMES)


@router.post("/firearms/safeguarding/{item_id}/decision")
@requires_grant(Action.DECIDE_REVIEW, review_item=True)
def decide_alert_form(request: Request, item_id: int, outcome: Outcome = Form(...), reason: str = Form(""),
                      actor: Actor = Depends(require_actor)) -> Response:
    decide_alert(actor.username, item_id, outcome=outcome, reason=reason, casebook_url=casebook_url(request))
    return RedirectResponse(f"/firearms/safeguarding?{urlencode({'decided': item_id, 'outcome': outcome})}",
                            status_code=303)


@router.get("/firearms/action-plan")
def action_plan_page(request: Request, actor: Actor = Depends(require_aggregates),
                     con=Depends(open_register)) -> Response:
    policies = action_plan(con) if con is not None else []
    return render_page(request, "firearms/action_plan.html.j2", title="Firearms licensing action plan",
                       policies=policies, assessed=sum(p["status"] == "assessed" for p in policies))


@router.get("/api/firearms/action-plan", tags=["firearms"])
def action_plan_api(actor: Actor = Depends(require_aggregates), con=Depends(open_register)) -> list[dict]:
    """Every action-plan policy: recommendation, status, owner (a post), evidence (aggregates)."""
    return action_plan(con) if con is not None else []
