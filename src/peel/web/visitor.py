"""Who is asking: the session cookie every visitor gets, and the signed-in user behind it.

The cookie holds a random token. Before sign-in it only binds the visitor's form tokens;
signing in replaces it with a new one whose session the casebook records (so a token
planted in a browser beforehand never becomes a signed-in session), and signing out
replaces it again. The cookie is Secure, HttpOnly and SameSite=Lax, and ``__Host-``
prefixed: set by this host only, for every path, never for a parent domain.
"""

from __future__ import annotations

import re
import secrets

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from peel.casebook import Action, Actor, authorise, find_session, transaction
from peel.casebook import Request as CasebookRequest

SESSION_COOKIE = "__Host-peel-session"
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
_UNKNOWN = object()


class SignInRequired(Exception):
    """The page needs a signed-in user and there is none: the app sends them to sign in."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def keep_session_cookie(app: ASGIApp) -> ASGIApp:
    """Middleware: give every visitor a session token (``request.state.session_token``), and
    send the cookie whenever the response's token differs from the one the browser sent.
    Plain ASGI, not ``BaseHTTPMiddleware``, which costs every request a task and a stream."""

    async def with_session_cookie(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        sent = HTTPConnection(scope).cookies.get(SESSION_COOKIE)
        state = scope.setdefault("state", {})  # what the routes see as request.state
        state["session_token"] = sent if sent and TOKEN_PATTERN.match(sent) else new_token()

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and state["session_token"] != sent:
                MutableHeaders(scope=message).append("set-cookie", format_cookie(state["session_token"]))
            await send(message)

        await app(scope, receive, send_with_cookie)

    return with_session_cookie


def format_cookie(token: str) -> str:
    """The Set-Cookie header for the session ``token``."""
    response = Response()
    response.set_cookie(SESSION_COOKIE, token, path="/", secure=True, httponly=True, samesite="lax")
    return response.headers["set-cookie"]


def replace_session_token(request: Request, token: str) -> None:
    """Use ``token`` from this response on (at sign-in and sign-out)."""
    request.state.session_token = token
    request.state.actor = _UNKNOWN


def get_actor(request: Request) -> Actor | None:
    """The signed-in user, or None; looked up once per request."""
    if getattr(request.state, "actor", _UNKNOWN) is _UNKNOWN:
        request.state.actor = find_session(request.state.session_token,
                                           url=request.app.state.settings.casebook_url)
    return request.state.actor


def require_actor(request: Request) -> Actor:
    """A route's dependency: the signed-in user, or off to the sign-in page."""
    actor = get_actor(request)
    if actor is None:
        raise SignInRequired()
    return actor


def require_grant(request: Request, actor: Actor, action: Action, domain: str | None = None) -> Actor:
    """The signed-in user if their role grants ``action`` (in ``domain``); otherwise the
    casebook refuses, and logs the refused attempt with the page asked for, like any other.

    ``actor`` was read from the casebook for this very request (``get_actor``: the session
    live, the account active, its role), so a grant is decided on it without reading the
    casebook again; only a refusal, which the casebook logs, goes back to it."""
    if actor.role.allows(action, domain):
        return actor
    with transaction(request.app.state.settings.casebook_url, readonly=True) as session:
        authorise(session, actor.username,
                  CasebookRequest(action, "web_page", object_id=request.url.path, domain=domain))
    return actor
