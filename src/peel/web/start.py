"""Each role's start page: what the job is, and links to the parts of peel the role may open,
and nothing else. The parts are ``peel.web.domains``; each decides its own links."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from peel.casebook import Actor, NotFound
from peel.web.layout import render_page
from peel.web.links import PLANNED_PREFIX, Link, Placeholder
from peel.web.visitor import require_actor, require_grant

router = APIRouter()


def get_links(request: Request, actor: Actor) -> list[Link]:
    return [link for part in request.app.state.parts for link in part.links(actor)]


@router.get("/")
def show_start_page(request: Request, actor: Actor = Depends(require_actor)) -> Response:
    return render_page(request, "web/start.html.j2", title=actor.role.title, links=get_links(request, actor))


@router.get(PLANNED_PREFIX + "{slug}")
def show_planned_page(slug: str, request: Request, actor: Actor = Depends(require_actor)) -> Response:
    found = [p for p in request.app.state.parts if isinstance(p, Placeholder) and p.slug == slug]
    if not found:
        raise NotFound(f"There is no page {request.url.path}.")
    placeholder = found[0]
    require_grant(request, actor, placeholder.needs, placeholder.within)
    return render_page(request, "web/planned.html.j2", title=placeholder.title, placeholder=placeholder)
