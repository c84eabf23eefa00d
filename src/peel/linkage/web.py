"""Linkage review in the browser and as JSON: the pairs of person records the linkage could not
settle, the evidence for and against each (``explain_pair``), and a person's decision with a
reason (``decide_pair``, which keeps it in the casebook and the warehouse together).

Each route passes the signed-in user and the purpose or reason they typed to the linkage
function, which checks and logs them itself; no route checks access.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from peel.casebook import PENDING, Action, Actor, InvalidInput, list_items, show_item, transaction
from peel.linkage.explain import Explanation, explain_pair
from peel.linkage.review import DOMAIN, decide_pair, queue_pairs_for_review
from peel.linkage.warehouse_run import NoLinkageRun
from peel.web.downloads import DataTable, TableFormat, table_response
from peel.web.input_route import InputRoute, requires_grant
from peel.web.layout import render_page
from peel.web.links import Link
from peel.web.visitor import require_actor

router = APIRouter(route_class=InputRoute)  # the role checked before the input is read
DECISIONS = {"match": True, "non_match": False}
QUEUE_SIZE = 20


def links(actor: Actor) -> list[Link]:
    if not actor.role.allows(Action.DECIDE_REVIEW, DOMAIN):
        return []
    return [Link("Linkage review", "/linkage/review",
                 "Proposed record links: the pair, the evidence, accept or reject.")]


class Pair(BaseModel):
    item_id: int
    summary: str
    status: str


class EvidenceLine(BaseModel):
    evidence: str
    level: str
    match_weight: float


class PairEvidence(BaseModel):
    item_id: int
    record_a: str
    record_b: str
    match_probability: float
    threshold: float
    match_weight: float
    evidence: list[EvidenceLine]
    sentences: list[str]
    same_entity: bool | None
    decision: str | None


class PairDecision(BaseModel):
    record_a: str
    record_b: str
    decision: str  # "match" or "non_match"
    reason: str


class PairDecided(BaseModel):
    item_id: int
    record_a: str
    record_b: str
    decision: str
    decided_by: str


def read_pairs(request: Request, actor: Actor) -> list:
    with transaction(request.app.state.settings.casebook_url) as session:
        return list_items(session, actor.username, status=PENDING, domain=DOMAIN)


def read_pair(request: Request, actor: Actor, item_id: int, purpose: str) -> tuple[str, str]:
    """The pair's record keys, from its review item (a logged consultation, for ``purpose``)."""
    with transaction(request.app.state.settings.casebook_url) as session:
        item = show_item(session, actor.username, item_id, purpose=purpose)
    if item.domain != DOMAIN or not item.payload or "record_key_l" not in item.payload:
        raise InvalidInput(f"Review item {item_id} is not a linkage pair; open it from the review queue.")
    return item.payload["record_key_l"], item.payload["record_key_r"]


def read_evidence(request: Request, actor: Actor, item_id: int, purpose: str) -> PairEvidence:
    record_a, record_b = read_pair(request, actor, item_id, purpose)
    explanation: Explanation = explain_pair(actor.username, record_a, record_b, purpose=purpose)
    return PairEvidence(
        item_id=item_id, record_a=record_a, record_b=record_b,
        match_probability=explanation.match_probability, threshold=explanation.threshold,
        match_weight=explanation.match_weight,
        evidence=[EvidenceLine(**e.__dict__) for e in explanation.evidence],
        sentences=explanation.sentences(), same_entity=explanation.same_entity, decision=explanation.decision)


def record_decision(record_a: str, record_b: str, decision: str, reason: str, actor: Actor) -> PairDecided:
    if decision not in DECISIONS:
        raise InvalidInput("Choose 'same person' (match) or 'different people' (non_match).")
    decided = decide_pair(actor.username, record_a, record_b, accept=DECISIONS[decision], reason=reason)
    return PairDecided(item_id=decided.item_id, record_a=decided.record_key_l, record_b=decided.record_key_r,
                       decision=decided.decision, decided_by=decided.decided_by)


def pairs_table(pairs: list) -> DataTable:
    """The waiting pairs as the page lists them: record keys and probability, no record's content."""
    return DataTable("linkage-review-pairs", f"{len(pairs)} pair{'' if len(pairs) == 1 else 's'} waiting",
                     ["Pair", "Proposal"], [[pair.id, pair.summary] for pair in pairs])


@router.get("/linkage/review")
def show_pairs(request: Request, decided: int | None = None, outcome: str = "", queued: int | None = None,
               actor: Actor = Depends(require_actor)) -> Response:
    return render_page(request, "linkage/review_pairs.html.j2", title="Linkage review",
                       table=pairs_table(read_pairs(request, actor)), decided=decided, outcome=outcome,
                       queued=queued, queue_size=QUEUE_SIZE)


@router.get("/linkage/review.{format}")
def download_pairs(request: Request, format: TableFormat, actor: Actor = Depends(require_actor)) -> Response:
    return table_response(pairs_table(read_pairs(request, actor)), format)


@router.post("/linkage/review/queue")
def queue_pairs(purpose: str = Form(""), actor: Actor = Depends(require_actor)) -> Response:
    """File the latest run's undecided pairs near the threshold (explaining each: a logged
    consultation for ``purpose``) into the queue."""
    try:
        pairs = queue_pairs_for_review(actor.username, QUEUE_SIZE, purpose=purpose)
    except (NoLinkageRun, FileNotFoundError) as error:  # asked too early: a page saying so, not a server error
        raise InvalidInput(str(error)) from error
    return RedirectResponse(f"/linkage/review?queued={len(pairs)}", status_code=303)


@router.get("/linkage/review/{item_id}")
def show_pair(request: Request, item_id: int, purpose: str = "", actor: Actor = Depends(require_actor)) -> Response:
    """Asks the purpose first; the evidence is shown once it is given."""
    evidence = read_evidence(request, actor, item_id, purpose) if purpose else None
    return render_page(request, "linkage/review_pair.html.j2", title=f"Linkage pair {item_id}",
                       item_id=item_id, purpose=purpose, pair=evidence)


@router.post("/linkage/review/{item_id}/decision")
@requires_grant(Action.DECIDE_REVIEW, review_item=True)
def decide(item_id: int, record_a: str = Form(""), record_b: str = Form(""), decision: str = Form(""),
           reason: str = Form(""), actor: Actor = Depends(require_actor)) -> Response:
    """The form carries the pair shown on the page; ``decide_pair`` checks it is the queued one."""
    decided = record_decision(record_a, record_b, decision, reason, actor)
    query = urlencode({"decided": decided.item_id, "outcome": decided.decision.replace("_", "-")})
    return RedirectResponse(f"/linkage/review?{query}", status_code=303)


@router.get("/api/linkage/review", response_model=list[Pair])
def api_pairs(request: Request, actor: Actor = Depends(require_actor)) -> list[Pair]:
    return [Pair(item_id=p.id, summary=p.summary, status=p.status) for p in read_pairs(request, actor)]


@router.get("/api/linkage/review/{item_id}", response_model=PairEvidence)
def api_pair(request: Request, item_id: int, purpose: str = Query(...),
             actor: Actor = Depends(require_actor)) -> PairEvidence:
    return read_evidence(request, actor, item_id, purpose)


@router.post("/api/linkage/decisions", response_model=PairDecided)
@requires_grant(Action.DECIDE_REVIEW)
def api_decide(decision: PairDecision, actor: Actor = Depends(require_actor)) -> PairDecided:
    return record_decision(decision.record_a, decision.record_b, decision.decision, decision.reason, actor)
