"""The route class every domain's router uses (``APIRouter(route_class=InputRoute)``): the
user's role is checked against the route's domain before anything they sent is read, and a
bad input is then the user's to fix, not a server error.

Checking the role first means a role with no business in a domain is refused (403, and the
refusal is in the audit log) whatever it sent, rather than told (400) what was wrong with its
input, which would tell it what the form expects and that the record exists. The domain
function behind the route still checks the exact grant it needs (``peel.casebook.access``);
this is the coarse check every route gets without writing one.
"""

from __future__ import annotations

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from peel.casebook import Action, Domain
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


def check_grant(request: Request, domain: str | None) -> None:
    """Refuse (and log) a signed-in user who sends a form to ``domain`` while their role may
    change nothing there. Reads send no form, so their routes' own dependencies check them; a
    visitor not signed in goes on, to be sent to sign in by the route's own dependency."""
    actor = get_actor(request)
    if actor is None or request.method in READS:  # a read sends no form: its route checks it
        return
    if not any(actor.role.allows(action, domain) for action in CHANGES):
        # Named in the log as the first of the changes, the one most forms make (a case's record).
        require_grant(request, actor, CHANGES[0], domain)


class InputRoute(APIRoute):
    """A route whose user is checked against its domain (``check_grant``) before its input
    is read, and whose ValueError (a month, day, crime type or area the data does not have;
    the message says which and what to give) is a 400 page saying so, not a server error."""

    def get_route_handler(self):
        handler = super().get_route_handler()
        domain = get_path_domain(self.path)

        async def handle(request: Request) -> Response:
            if domain is not _OPEN:  # the casebook is read in a thread, as sync dependencies are
                await run_in_threadpool(check_grant, request, domain)
            try:
                return await handler(request)
            except ValueError as error:
                raise HTTPException(400, str(error)) from error

        return handle
