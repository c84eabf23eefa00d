"""Signing in and out with a casebook account (the lock-out rule is the casebook's:
``peel.casebook.sessions``); single sign-on, which ends in the same session, is
``peel.web.single_sign_on``."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from peel.casebook import AccountLocked, SignedIn, UnknownUser, sign_in, sign_out
from peel.web.layout import render_page
from peel.web.security import get_safe_next
from peel.web.visitor import get_actor, new_token, replace_session_token

UK_TIME = ZoneInfo("Europe/London")
router = APIRouter()


@router.get("/sign-in")
def show_sign_in(request: Request, next: str = "/", signed_out: bool = False) -> Response:
    if get_actor(request) is not None:
        return RedirectResponse(get_safe_next(next), status_code=303)
    return render_sign_in(request, get_safe_next(next), signed_out=signed_out)


@router.post("/sign-in")
def submit_sign_in(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
) -> Response:
    username = username.strip().lower()
    target = get_safe_next(next)
    if not username or not password:
        return _refuse(request, username, target, "Enter your username and password.", 400)
    try:
        signed_in = sign_in(username, password, url=request.app.state.settings.casebook_url)
    except AccountLocked as locked:
        until = locked.until.astimezone(UK_TIME)
        return _refuse(request, username, target,
                       f"{locked} You can try again after {until:%H:%M} UK time.", 429,
                       retry_after=locked.until)
    except UnknownUser as refusal:
        return _refuse(request, username, target, str(refusal), 401)
    begin_session(request, signed_in)
    return RedirectResponse(target, status_code=303)


def begin_session(request: Request, signed_in: SignedIn) -> None:
    """Give the browser the new session's token, however the user proved who they are."""
    old_token = request.state.session_token
    replace_session_token(request, signed_in.token)
    # A session already open in this browser (another account) ends: one browser, one user.
    sign_out(old_token, url=request.app.state.settings.casebook_url)


@router.post("/sign-out")
def submit_sign_out(request: Request) -> Response:
    sign_out(request.state.session_token, url=request.app.state.settings.casebook_url)
    replace_session_token(request, new_token())
    return RedirectResponse("/sign-in?signed_out=true", status_code=303)


def render_sign_in(request: Request, target: str, *, status_code: int = 200, error: str | None = None,
                   username: str = "", signed_out: bool = False,
                   provider_error: str | None = None) -> Response:
    """The sign-in page: the password form (``error``: why it was refused), and a button for each
    single sign-on provider (``provider_error``: why a single sign-on was refused)."""
    return render_page(request, "web/sign_in.html.j2", status_code=status_code, next=target,
                       signed_out=signed_out, username=username, error=error,
                       provider_error=provider_error,
                       providers=list(request.app.state.identity_providers.values()))


def _refuse(request: Request, username: str, target: str, error: str, status_code: int,
            retry_after: datetime | None = None) -> Response:
    response = render_sign_in(request, target, status_code=status_code, error=error, username=username)
    if retry_after is not None:
        response.headers["Retry-After"] = format_datetime(retry_after, usegmt=True)
    return response
