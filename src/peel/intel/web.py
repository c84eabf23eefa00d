"""Intelligence analysts' pages and JSON API: build a pack on a subject for a stated purpose
(queued as a draft for a supervisor's approval in the review queue), and read a queued pack.

Each route passes the signed-in user and the purpose they typed to ``peel.intel.packs``, which
checks and logs them itself; no route checks access.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from peel.casebook import Action, Actor, InvalidInput
from peel.intel.event_web import router as event_router
from peel.intel.packs import DOMAIN, draft_pack, read_pack
from peel.intel.render import render_pack_html
from peel.web.input_route import InputRoute, requires_grant
from peel.web.layout import render_page
from peel.web.links import Link
from peel.web.visitor import require_actor, require_grant

router = APIRouter(route_class=InputRoute)  # a bad month or value: 400, saying which
router.include_router(event_router)  # event risk assessments


def links(actor: Actor) -> list[Link]:
    if not actor.role.allows(Action.READ_PERSONAL, DOMAIN):
        return []
    # event risk assessments are reached from /intel's page
    return [Link("Intelligence", "/intel", "Intelligence packs on a subject, every statement sourced.")]


class PackRequest(BaseModel):
    subject: str
    purpose: str


class PackDraft(BaseModel):
    item_id: int
    status: str
    pack: dict


def _draft(actor: Actor, subject: str, purpose: str):
    try:
        return draft_pack(actor.username, subject, purpose=purpose)
    except (ValueError, FileNotFoundError) as error:  # a page saying what to give, not a server error
        raise InvalidInput(str(error)) from error


@router.get("/intel")
def show_start(request: Request, actor: Actor = Depends(require_actor)) -> Response:
    require_grant(request, actor, Action.READ_PERSONAL, DOMAIN)  # the form asks for a subject's data
    return render_page(request, "intel/start.html.j2", title="Intelligence packs")


@router.post("/intel/packs")
@requires_grant(Action.PROPOSE)  # the pack is queued for approval
def build(subject: str = Form(""), purpose: str = Form(""), actor: Actor = Depends(require_actor)) -> Response:
    draft = _draft(actor, subject, purpose)
    return RedirectResponse(f"/intel/packs/{draft.item_id}?{urlencode({'purpose': purpose})}", status_code=303)


@router.get("/intel/packs/{item_id}")
def show_pack(item_id: int, purpose: str = "", actor: Actor = Depends(require_actor)) -> Response:
    """The pack as its own OFFICIAL-SENSITIVE document, once the purpose is given (logged)."""
    pack, view = read_pack(actor.username, item_id, purpose=purpose)
    status = (f"{view.status}: decided by {view.decided_by} ({view.reason})" if view.decided_by
              else f"DRAFT, awaiting approval (review item {item_id})")
    return HTMLResponse(render_pack_html(pack, status))


@router.post("/api/intel/packs", response_model=PackDraft)
@requires_grant(Action.PROPOSE)
def api_build(body: PackRequest, actor: Actor = Depends(require_actor)) -> PackDraft:
    draft = _draft(actor, body.subject, body.purpose)
    return PackDraft(item_id=draft.item_id, status="pending", pack=draft.pack)


@router.get("/api/intel/packs/{item_id}", response_model=PackDraft)
def api_pack(item_id: int, purpose: str = Query(...), actor: Actor = Depends(require_actor)) -> PackDraft:
    pack, view = read_pack(actor.username, item_id, purpose=purpose)
    return PackDraft(item_id=item_id, status=view.status, pack=pack)
