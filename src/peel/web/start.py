"""Each role's start page: what the job is, and links to the parts of peel the role may open,
and nothing else. The parts are ``peel.web.domains``; each decides its own links, and a part
may also put a panel at the top (``start_panel(request, actor)``: HTML, or None for a role it
has nothing for), as crime does with the daily dashboard for officers and supervisors."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup

from peel.casebook import Actor, NotFound
from peel.web.layout import render_page
from peel.web.links import PLANNED_PREFIX, Link, Placeholder
from peel.web.visitor import require_actor, require_grant

router = APIRouter()


def get_links(request: Request, actor: Actor) -> list[Link]:
    return [link for part in request.app.state.parts for link in part.links(actor)]


def get_panels(request: Request, actor: Actor) -> list[Markup]:
    shown = (getattr(part, "start_panel", None) for part in request.app.state.parts)
    return [panel for show in shown if show is not None and (panel := show(request, actor)) is not None]


@router.get("/")
def show_start_page(request: Request, actor: Actor = Depends(require_actor)) -> Response:
    return render_page(request, "web/start.html.j2", title=actor.role.title, links=get_links(request, actor),
                       panels=get_panels(request, actor))


@router.get(PLANNED_PREFIX + "{slug}")
def show_planned_page(slug: str, request: Request, actor: Actor = Depends(require_actor)) -> Response:
    found = [p for p in request.app.state.parts if isinstance(p, Placeholder) and p.slug == slug]
    if not found:
        raise NotFound(f"There is no page {request.url.path}.")
    placeholder = found[0]
    require_grant(request, actor, placeholder.needs, placeholder.within)
    return render_page(request, "web/planned.html.j2", title=placeholder.title, placeholder=placeholder)
