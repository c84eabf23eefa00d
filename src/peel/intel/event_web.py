"""Event risk assessments in the browser and as JSON: the list, a new assessment (the history
assembled and cited, the risk level the analyst sets), one assessment with every statement's
citations, a change of its risk level while it waits, and its sign-off.

Each route hands the signed-in user, and the purpose or reason they typed, to
``peel.intel.events``, which checks and logs them itself: the sign-off is held to the force's
declared command level by the review queue, whichever way it is made. No route checks access.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from peel.casebook import Action, Actor, InvalidInput
from peel.intel.command_levels import DOMAIN, read_command_levels
from peel.intel.events import (
    PlannedEvent,
    draft_assessment,
    list_assessments,
    read_assessment,
    set_risk,
    sign_off_assessment,
)
from peel.web.input_route import InputRoute, requires_grant
from peel.web.layout import render_page
from peel.web.visitor import require_actor, require_grant
from peel.web.warehouse import NO_DATA

router = APIRouter(route_class=InputRoute)


class AssessmentRequest(BaseModel):
    venue: str
    date: str
    attendance: int
    risk: str
    purpose: str
    name: str = ""
    participants: list[str] = []
    cite: list[str] = []


class Assessment(BaseModel):
    item_id: int
    status: str
    decided_by: str | None = None
    reason: str | None = None
    assessment: dict


class Decision(BaseModel):
    approve: bool
    reason: str


class RiskChange(BaseModel):
    risk: str
    reason: str


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _draft(actor: Actor, body: AssessmentRequest) -> tuple[int, dict]:
    planned = PlannedEvent(body.name or body.venue, body.venue, body.date, body.attendance, tuple(body.participants))
    try:
        return draft_assessment(actor.username, planned, risk=body.risk, purpose=body.purpose, cited=body.cite)
    except FileNotFoundError:  # no warehouse yet: nothing to assemble the history from
        raise HTTPException(503, NO_DATA) from None
    except ValueError as error:  # an event never recorded, a bad date: said on the page, not a server error
        raise InvalidInput(str(error)) from error


def _assessment(actor: Actor, item_id: int, purpose: str) -> Assessment:
    view = read_assessment(actor.username, item_id, purpose=purpose)
    return Assessment(item_id=item_id, status=view.status, decided_by=view.decided_by, reason=view.reason,
                      assessment=dict(view.payload))


@router.get("/intel/events")
def show_events(request: Request, actor: Actor = Depends(require_actor)) -> Response:
    return render_page(request, "intel/events.html.j2", title="Event risk assessments",
                       items=list_assessments(actor.username), levels=read_command_levels())


@router.post("/intel/events")
@requires_grant(Action.PROPOSE)
def create_event(venue: str = Form(""), day: str = Form("", alias="date"), attendance: int = Form(0),
                 risk: str = Form(""), purpose: str = Form(""), name: str = Form(""),
                 participants: str = Form(""), cite: str = Form(""),
                 actor: Actor = Depends(require_actor)) -> Response:
    body = AssessmentRequest(venue=venue, date=day, attendance=attendance, risk=risk, purpose=purpose,
                             name=name, participants=_lines(participants), cite=_lines(cite))
    item, _ = _draft(actor, body)
    return RedirectResponse(f"/intel/events/{item}?{urlencode({'purpose': purpose})}", status_code=303)


@router.get("/intel/events/open")
def open_event(request: Request, item: str = "", purpose: str = "", actor: Actor = Depends(require_actor)) -> Response:
    """The list's "read an assessment" form: to the assessment's page, with the purpose."""
    require_grant(request, actor, Action.READ_PERSONAL, DOMAIN)  # refused (and logged) here, not a page later
    if not item.strip().isdigit():
        raise InvalidInput(f"Item {item!r}: give the assessment's item number, as the list shows it.")
    return RedirectResponse(f"/intel/events/{int(item)}?{urlencode({'purpose': purpose})}", status_code=303)


@router.get("/intel/events/{item_id}")
def show_event(request: Request, item_id: int, purpose: str = "", actor: Actor = Depends(require_actor)) -> Response:
    """One assessment, each statement with the records it cites, once the purpose is given (logged)."""
    return render_page(request, "intel/event.html.j2", title="Event risk assessment",
                       item=_assessment(actor, item_id, purpose), purpose=purpose, levels=read_command_levels())


@router.post("/intel/events/{item_id}/decision")
@requires_grant(Action.DECIDE_REVIEW, review_item=True)
def decide_event(request: Request, item_id: int, decision: str = Form(""), reason: str = Form(""),
                 actor: Actor = Depends(require_actor)) -> Response:
    if decision not in ("approve", "reject"):
        raise InvalidInput("Choose whether to sign the assessment off or reject it.")
    sign_off_assessment(actor.username, item_id, approve=decision == "approve", reason=reason)
    return RedirectResponse("/intel/events", status_code=303)


@router.post("/intel/events/{item_id}/risk")
@requires_grant(Action.READ_PERSONAL, review_item=True)
def change_risk(item_id: int, risk: str = Form(""), reason: str = Form(""), purpose: str = Form(""),
                actor: Actor = Depends(require_actor)) -> Response:
    set_risk(actor.username, item_id, risk=risk, reason=reason)
    return RedirectResponse(f"/intel/events/{item_id}?{urlencode({'purpose': purpose})}", status_code=303)


@router.get("/api/intel/events")
def api_events(actor: Actor = Depends(require_actor)) -> list[dict]:
    """The queue's assessments: number, summary (risk, day, sign-off level), status. No personal data."""
    return [{"item_id": i.id, "summary": i.summary, "status": i.status, "proposed_by": i.proposed_by,
             "decided_by": i.decided_by} for i in list_assessments(actor.username)]


@router.post("/api/intel/events", response_model=Assessment)
@requires_grant(Action.PROPOSE)
def api_create_event(body: AssessmentRequest, actor: Actor = Depends(require_actor)) -> Assessment:
    item, assessment = _draft(actor, body)
    return Assessment(item_id=item, status="pending", assessment=assessment)


@router.get("/api/intel/events/{item_id}", response_model=Assessment)
def api_event(item_id: int, purpose: str = Query(...), actor: Actor = Depends(require_actor)) -> Assessment:
    return _assessment(actor, item_id, purpose)


@router.post("/api/intel/events/{item_id}/decision")
@requires_grant(Action.DECIDE_REVIEW, review_item=True)
def api_decide_event(item_id: int, body: Decision, actor: Actor = Depends(require_actor)) -> dict:
    sign_off_assessment(actor.username, item_id, approve=body.approve, reason=body.reason)
    return {"item_id": item_id, "status": "accepted" if body.approve else "rejected"}


@router.post("/api/intel/events/{item_id}/risk")
@requires_grant(Action.READ_PERSONAL, review_item=True)
def api_change_risk(item_id: int, body: RiskChange, actor: Actor = Depends(require_actor)) -> dict:
    set_risk(actor.username, item_id, risk=body.risk, reason=body.reason)
    return {"item_id": item_id, "risk": body.risk}
