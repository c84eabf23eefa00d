"""The route class every domain's router uses (``APIRouter(route_class=InputRoute)``): the
user's role is checked against the route's domain before anything they sent is read, and a
bad input is then the user's to fix, not a server error.

Checking the role first means a role without the grant is refused (403, and the refusal is
in the audit log) whatever it sent, rather than told (400) what was wrong with its input,
which would tell it what the form expects and that the record exists. Every form gets the
coarse check (a role that may change nothing in the domain); a route whose form needs one
grant says which (``requires_grant``), so that a role with other grants in the domain is
refused first too. The domain function behind the route still checks the exact grant it
needs itself (``peel.casebook.access``): this only puts the refusal before the form is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from peel.casebook import Action, Domain, find_item_domain, transaction
from peel.web.visitor import get_actor, require_grant

# A route's domain, by the first part of its path (after /api/); None: the casebook's pages over
# every domain (the review queue, the audit log), where a grant in any domain will do. A path
# not listed (the public pages, signing in) is open to anyone, or checked by its own route.
PATH_DOMAINS: dict[str, str | None] = {
    "crime": Domain.CRIME, "lfr": Domain.LFR, "firearms": Domain.FIREARMS, "dvds": Domain.DVDS,
    "workforce": Domain.WORKFORCE, "control-room": Domain.CONTROL_ROOM, "intel": Domain.INTELLIGENCE,
    "oversight": Domain.OVERSIGHT, "linkage": Domain.LINKAGE, "pack": Domain.PACK, "actions": Domain.PACK,
    "review": None, "audit": None,
}
READS = {"GET", "HEAD"}
# What a form (any request that is not a read) can do in a domain: a role that holds none of
# these there only reads the domain, so may send it no form. Reviewing retention and erasing
# are granted in every domain but no web form does them, so they do not count.
CHANGES = (Action.UPDATE_CASE, Action.OPEN_CASE, Action.DECIDE_CASE, Action.DISCLOSE, Action.COLLECT,
           Action.COMBINE, Action.PROPOSE, Action.DECIDE_REVIEW, Action.RECORD_MEETING_ACTIONS,
           Action.UPDATE_MEETING_ACTIONS)
_OPEN = object()


def get_path_domain(path: str) -> str | None | object:
    """The domain a route's ``path`` belongs to, None for every domain, or ``_OPEN``."""
    parts = path.strip("/").split("/")
    first = parts[1] if parts[0] == "api" and len(parts) > 1 else parts[0]
    return PATH_DOMAINS.get(first.split(".")[0], _OPEN)


@dataclass(frozen=True)
class Grant:
    """What a route's form needs: ``action`` in the route's domain and, for a form about the
    review item its path names (``{item_id}``), in that item's domain too. A route serving
    several forms gives the action as a function of its path's parameters (None: the path names
    no form, which the route itself says)."""

    action: Action | Callable[[dict[str, str]], Action | None]
    review_item: bool = False


def requires_grant(action: Action | Callable[[dict[str, str]], Action | None], *,
                   review_item: bool = False) -> Callable:
    """Mark a route (under its ``@router.post``) whose form needs ``action``: ``InputRoute``
    refuses a user without it before reading the form."""

    def mark(endpoint: Callable) -> Callable:
        endpoint.grant = Grant(action, review_item)
        return endpoint

    return mark


def check_grant(request: Request, domain: str | None, grant: Grant | None = None) -> None:
    """Refuse (and log) a signed-in user who sends a form to ``domain`` without ``grant`` or,
    for a route that names none, while their role may change nothing there. Reads send no form,
    so their routes' own dependencies check them; a visitor not signed in goes on, to be sent
    to sign in by the route's own dependency."""
    actor = get_actor(request)
    if actor is None or request.method in READS:  # a read sends no form: its route checks it
        return
    action = grant.action if grant else None
    if callable(action):  # a route serving several forms: the one its path names
        action = action(request.path_params)
    if action is None:
        if not any(actor.role.allows(change, domain) for change in CHANGES):
            # Named in the log as the first of the changes, the one most forms make (a case's record).
            require_grant(request, actor, CHANGES[0], domain)
        return
    domains = [domain, get_item_domain(request)] if grant.review_item else [domain]
    # None alone: the review queue's route, and no such item (its own function says so): any domain.
    for where in dict.fromkeys(d for d in domains if d) or [None]:
        require_grant(request, actor, action, where)


def get_item_domain(request: Request) -> str | None:
    """The domain of the review item the path names, or None if it names none that exists."""
    item_id = request.path_params.get("item_id", "")
    if not (item_id.isascii() and item_id.isdigit()):  # '²' is a digit to isdigit, not to int
        return None
    with transaction(request.app.state.settings.casebook_url, readonly=True) as session:
        return find_item_domain(session, int(item_id))


class InputRoute(APIRoute):
    """A route whose user is checked against its domain, and the grant its form needs
    (``check_grant``), before its input is read, and whose ValueError (a month, day, crime type
    or area the data does not have; the message says which and what to give) is a 400 page
    saying so, not a server error."""

    def get_route_handler(self):
        handler = super().get_route_handler()
        domain = get_path_domain(self.path)

        async def handle(request: Request) -> Response:
            if domain is not _OPEN:  # the casebook is read in a thread, as sync dependencies are
                await run_in_threadpool(check_grant, request, domain, getattr(self.endpoint, "grant", None))
            try:
                return await handler(request)
            except ValueError as error:
                raise HTTPException(400, str(error)) from error

        return handle
