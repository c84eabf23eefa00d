"""Clare's Law in the browser and as JSON: public-protection staff see their cases and the
Right to Know candidate queue (each read asks for a purpose, and the function that reads the
data checks the role and logs it); the PCC's office sees the figures, counts from 1 to 9 hidden.
No route checks access itself."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from peel.casebook import Action, Actor, InvalidInput, list_items, show_item, transaction
from peel.dvds.cases import DOMAIN, ROUTES, known_in
from peel.dvds.figures import MEASURES, figures, period
from peel.dvds.queue import count_candidates, decide_candidate
from peel.dvds.recognition import CANDIDATE_KIND
from peel.dvds.section import _text, published_candidates
from peel.dvds.views import case_view, list_cases
from peel.measures.registry import get_measure
from peel.web.input_route import InputRoute, requires_grant
from peel.web.layout import render_page
from peel.web.links import Link
from peel.web.visitor import require_actor, require_grant
from peel.web.warehouse import open_published

router = APIRouter(route_class=InputRoute)  # a bad month or value: 400, saying which


def links(actor: Actor) -> list[Link]:
    found = []
    if actor.role.allows(Action.READ_PERSONAL, DOMAIN):
        found += [Link("Clare's Law cases", "/dvds/cases", "Right to Ask and Right to Know cases, their stages and "
                                                           "the 28-day target."),
                  Link("Right to Know candidates", "/dvds/candidates", "Situations recognised in linked data, "
                                                                       "waiting for your decision.")]
    if actor.role.allows(Action.READ_AGGREGATES):
        found.append(Link("Clare's Law figures", "/dvds/figures", "Requests, cases and disclosures by route, "
                                                                  "small numbers hidden."))
    return found


def casebook_url(request: Request) -> str:
    return request.app.state.settings.casebook_url


class FigureRow(BaseModel):
    route: str
    measure: str
    value: str  # as published: "fewer than 10" for counts from 1 to 9


class CandidateFigures(BaseModel):
    """Right to Know candidates in the period, as published (counts from 1 to 9 hidden)."""

    raised: str
    accepted: str
    declined: str
    share_accepted: str  # the declared measure dvds_share_accepted


class Figures(BaseModel):
    period: str
    rows: list[FigureRow]
    candidates: CandidateFigures | None  # None: the casebook could not be read


def read_figures(request: Request, year: str) -> Figures | None:
    """The year's figures as published (before any data is loaded: ``open_published``'s 503 page)."""
    try:
        start, end, label = period(year)
    except ValueError:
        raise InvalidInput(f"Give a calendar year (2025) or a financial year (2025/26), not {year!r}.") from None
    with open_published(request) as con:
        counts = figures(con, start, end)
    candidates = published_candidates(count_candidates(start, end, casebook_url(request)))
    return Figures(period=label, rows=[FigureRow(route=ROUTES[r], measure=get_measure(m).name, value=_text(counts[r][m]))
                                       for r in ROUTES for m in MEASURES],
                   candidates=candidates and CandidateFigures(**candidates))


def default_year() -> str:
    return str(date.today().year - 1)


@router.get("/dvds/figures")
def show_figures(request: Request, year: str = "", actor: Actor = Depends(require_actor)) -> Response:
    require_grant(request, actor, Action.READ_AGGREGATES)
    return render_page(request, "dvds/figures.html.j2", title="Clare's Law figures",
                       figures=read_figures(request, year or default_year()), year=year or default_year(),
                       share_name=get_measure("dvds_share_accepted").name)


@router.get("/api/dvds/figures", response_model=Figures | None, tags=["dvds"])
def api_figures(request: Request, year: str = "", actor: Actor = Depends(require_actor)) -> Figures | None:
    require_grant(request, actor, Action.READ_AGGREGATES)
    return read_figures(request, year or default_year())


def read_cases(request: Request, actor: Actor, purpose: str) -> list[dict]:
    with transaction(casebook_url(request)) as session:
        return list_cases(session, actor.username, purpose=purpose)


@router.get("/dvds/cases")
def show_cases(request: Request, purpose: str = "", actor: Actor = Depends(require_actor)) -> Response:
    """Asks the purpose first; the cases are listed (and the listing logged) once it is given."""
    cases = read_cases(request, actor, purpose) if purpose else None
    return render_page(request, "dvds/cases.html.j2", title="Clare's Law cases", cases=cases, purpose=purpose)


@router.get("/api/dvds/cases", tags=["dvds"])
def api_cases(request: Request, purpose: str = Query(...), actor: Actor = Depends(require_actor)) -> list[dict]:
    return read_cases(request, actor, purpose)


@router.get("/dvds/cases/{case_id}")
def show_case(request: Request, case_id: int, purpose: str = "", actor: Actor = Depends(require_actor)) -> Response:
    case = None
    if purpose:
        with transaction(casebook_url(request)) as session:
            case = case_view(session, actor.username, case_id, purpose=purpose)
    return render_page(request, "dvds/case.html.j2", title=f"Clare's Law case {case_id}", case=case,
                       case_id=case_id, purpose=purpose)


def read_candidates(request: Request, actor: Actor) -> list:
    with transaction(casebook_url(request)) as session:
        return [i for i in list_items(session, actor.username, domain=DOMAIN) if i.kind == CANDIDATE_KIND]


@router.get("/dvds/candidates")
def show_candidates(request: Request, decided: int | None = None, outcome: str = "",
                    actor: Actor = Depends(require_actor)) -> Response:
    return render_page(request, "dvds/candidates.html.j2", title="Right to Know candidates",
                       items=read_candidates(request, actor), decided=decided, outcome=outcome)


@router.get("/api/dvds/candidates", tags=["dvds"])
def api_candidates(request: Request, actor: Actor = Depends(require_actor)) -> list[dict]:
    return [{"id": i.id, "summary": i.summary, "raised": i.created_at.isoformat()} for i in read_candidates(request, actor)]


@router.get("/dvds/candidates/{item_id}")
def show_candidate(request: Request, item_id: int, purpose: str = "", actor: Actor = Depends(require_actor)) -> Response:
    item = None
    if purpose:
        with transaction(casebook_url(request)) as session:
            item = show_item(session, actor.username, item_id, purpose=purpose)
        if item.kind != CANDIDATE_KIND:
            raise InvalidInput(f"Review item {item_id} is not a Right to Know candidate.")
    return render_page(request, "dvds/candidate.html.j2", title=f"Right to Know candidate {item_id}", item=item,
                       item_id=item_id, purpose=purpose)


@router.post("/dvds/candidates/{item_id}/decision")
@requires_grant(Action.DECIDE_REVIEW, review_item=True)
def decide(request: Request, item_id: int, decision: str = Form(""), reason: str = Form(""),
           actor: Actor = Depends(require_actor)) -> Response:
    if decision not in ("open", "decline"):
        raise InvalidInput("Choose to open a Right to Know case or to decline.")
    def known_person(ref: str) -> bool:  # the warehouse is opened only once the decision is allowed
        with open_published(request) as con:
            return known_in(con)(ref)

    with transaction(casebook_url(request)) as session:
        case_id = decide_candidate(session, actor.username, item_id, accept=decision == "open", reason=reason,
                                   known_person=known_person)
    outcome = f"case {case_id} opened" if case_id else "declined"
    return RedirectResponse(f"/dvds/candidates?{urlencode({'decided': item_id, 'outcome': outcome})}", status_code=303)
