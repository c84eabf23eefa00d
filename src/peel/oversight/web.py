"""The AI-oversight board's page and JSON API: the register of algorithms and the monthly report
(counts only), for anyone who may read aggregates."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel

from peel.casebook import Action, Actor, Domain, InvalidInput
from peel.measures.periods import parse_month
from peel.oversight.board import EVERY_ALGORITHM, OUTCOMES, record_board_decision
from peel.oversight.registry import read_registry
from peel.oversight.report import get_oversight_report
from peel.oversight.section import render_oversight
from peel.web.input_route import InputRoute, requires_grant
from peel.web.layout import render_page
from peel.web.links import Link
from peel.web.visitor import require_actor, require_grant
from peel.web.warehouse import open_published_if_any

router = APIRouter(route_class=InputRoute)  # a bad month or value: 400, saying which


def links(actor: Actor) -> list[Link]:
    if not actor.role.allows(Action.READ_AGGREGATES):
        return []
    return [Link("AI oversight", "/oversight", "Every algorithm's transparency record and what people did with its proposals.")]


def _month(month: str | None) -> date:
    today = date.today()
    try:
        return parse_month(month, "month") if month else date(today.year, today.month, 1)
    except ValueError as error:  # a page saying what to give, not a server error
        raise InvalidInput(str(error)) from None


@router.get("/oversight")
def show_oversight(request: Request, month: str | None = None, actor: Actor = Depends(require_actor)) -> Response:
    with open_published_if_any(request) as con:  # for the LFR deletion gaps, when there is data
        report = get_oversight_report(actor.username, _month(month), con)
    return render_page(request, "oversight/page.html.j2", title="AI oversight", report=report,
                       report_html=Markup(render_oversight(report)), algorithms=read_registry(),
                       may_record=actor.role.allows(Action.DECIDE_CASE, Domain.OVERSIGHT),
                       outcomes=OUTCOMES, every_algorithm=EVERY_ALGORITHM)


class BoardDecisionRequest(BaseModel):
    month: str
    algorithm: str
    outcome: str
    decision: str


def _record(actor: Actor, body: BoardDecisionRequest) -> int:
    return record_board_decision(actor.username, month=_month(body.month or None), algorithm=body.algorithm,
                                 outcome=body.outcome, decision=body.decision)


@router.post("/oversight/decisions")
@requires_grant(Action.DECIDE_CASE)
def record_decision(month: str = Form(""), algorithm: str = Form(""), outcome: str = Form(""),
                    decision: str = Form(""), actor: Actor = Depends(require_actor)) -> Response:
    """The board secretary's form: the decision is checked and logged by ``record_board_decision``."""
    _record(actor, BoardDecisionRequest(month=month, algorithm=algorithm, outcome=outcome, decision=decision))
    return RedirectResponse("/oversight", status_code=303)


@router.post("/api/oversight/decisions")
@requires_grant(Action.DECIDE_CASE)
def api_record_decision(body: BoardDecisionRequest, actor: Actor = Depends(require_actor)) -> dict:
    return {"decision_id": _record(actor, body)}


@router.get("/api/oversight/report")
def api_report(request: Request, month: str | None = None, actor: Actor = Depends(require_actor)) -> dict:
    with open_published_if_any(request) as con:
        return get_oversight_report(actor.username, _month(month), con).to_dict()


@router.get("/api/oversight/register")
def api_register(request: Request, actor: Actor = Depends(require_actor)) -> list[dict]:
    require_grant(request, actor, Action.READ_AGGREGATES)  # like every page but the public ones
    return [a.record() for a in read_registry()]
