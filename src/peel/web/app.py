"""The web app, put together: ``create_app()`` is what ``peel serve`` runs (and tests call)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from peel.casebook import AccessRefused, CasebookError, CasebookUnavailable, NotFound
from peel.settings import Settings, get_settings
from peel.warehouse import WarehouseError, close_snapshots
from peel.web import auth, domains, single_sign_on, start
from peel.web.layout import STATIC_URL, render_page
from peel.web.links import DomainPages, Placeholder
from peel.web.security import (
    FormTokenRefused,
    add_secure_headers,
    check_form_token,
    load_secret_key,
)
from peel.web.visitor import SignInRequired, get_actor, keep_session_cookie

log = logging.getLogger(__name__)
API_PREFIX = "/api/"  # the JSON API: its refusals are JSON too


def create_app(
    settings: Settings | None = None,
    *,
    parts: Sequence[DomainPages | Placeholder] | None = None,
    force_name: str | None = None,
) -> FastAPI:
    """The app for one installation (``settings``, default: the environment's), with the
    ``parts`` of ``peel.web.domains`` (by default its list). The header shows ``force_name``,
    by default the force in the warehouse snapshot the page read."""
    settings = settings or get_settings()
    # No API documentation pages: FastAPI's load scripts from a CDN. The JSON API (/api/...)
    # publishes its OpenAPI document.
    app = FastAPI(title="peel", docs_url=None, redoc_url=None, openapi_url=API_PREFIX + "openapi.json",
                  dependencies=[Depends(check_form_token)])
    app.state.settings = settings
    app.state.secret_key = load_secret_key(settings)
    app.state.force_name = force_name
    app.state.parts = list(domains.DOMAINS if parts is None else parts)
    # The last added runs first: headers go on every response, the cookie's included.
    app.add_middleware(keep_session_cookie)
    app.add_middleware(add_secure_headers)
    app.mount(STATIC_URL, StaticFiles(packages=[("peel.web", "static")]), name="static")
    app.include_router(auth.router)
    single_sign_on.install(app)
    app.include_router(start.router)
    for part in app.state.parts:
        if not isinstance(part, Placeholder):
            app.include_router(part.router)
    add_error_pages(app)
    app.router.on_shutdown.append(close_snapshots)
    return app


# What each casebook refusal is, in HTTP (any other: the request was wrong, 400), and the
# heading of its page.
CASEBOOK_STATUS = {AccessRefused: 403, NotFound: 404, CasebookUnavailable: 503}
PROBLEM_TITLES = {403: "You cannot open this page", 404: "Page not found", 400: "There is a problem",
                  503: "peel cannot open its casebook"}
# peel's own loads never lock readers out (they publish a new generation); another program
# holding the warehouse open to write can, or a changed schema file.
WAREHOUSE_TITLE = "peel cannot read its data just now"


def add_error_pages(app: FastAPI) -> None:
    """Every refusal is a page in the layout, saying what happened and what to do."""

    @app.exception_handler(SignInRequired)
    def send_to_sign_in(request: Request, _error: SignInRequired) -> Response:
        if request.url.path.startswith(API_PREFIX):  # a program is told, not redirected
            return JSONResponse({"detail": "Sign in first: the API answers a signed-in session."},
                                status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/sign-in?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(FormTokenRefused)
    def refuse_form(request: Request, _error: FormTokenRefused) -> Response:
        log.warning("Form refused without its token: %s %s", request.method, request.url.path)
        return render_page(request, "web/problem.html.j2", status_code=403,
                           title="This form has expired",
                           message="peel could not confirm that the form came from one of its own pages. "
                                   "Go back, reload the page and try again. peel needs cookies, and is "
                                   "served over https (or on this computer, at 127.0.0.1).")

    @app.exception_handler(CasebookError)
    def refuse_casebook(request: Request, error: CasebookError) -> Response:
        status_code = CASEBOOK_STATUS.get(type(error), 400)
        if status_code == 403:
            actor = get_actor(request)
            log.warning("Refused %s %s to %s: %s", request.method, request.url.path,
                        actor.username if actor else "a visitor", error)
        if request.url.path.startswith(API_PREFIX):
            return JSONResponse({"detail": str(error)}, status_code=status_code)
        return render_page(request, "web/problem.html.j2", status_code=status_code,
                           signed_in=status_code != 503, title=PROBLEM_TITLES[status_code],
                           message=str(error))

    @app.exception_handler(WarehouseError)
    def refuse_warehouse(request: Request, error: WarehouseError) -> Response:
        log.error("The warehouse cannot be read for %s: %s", request.url.path, error)
        return render_page(request, "web/problem.html.j2", status_code=503, title=WAREHOUSE_TITLE,
                           message=f"{error} Try again in a few minutes; if it goes on, tell your administrator.")

    @app.exception_handler(HTTPException)
    def show_http_error(request: Request, error: HTTPException) -> Response:
        if request.url.path.startswith(API_PREFIX):
            return JSONResponse({"detail": error.detail}, status_code=error.status_code)
        message = ("Check the address, or go back to your start page." if error.status_code == 404
                   else str(error.detail))
        title = "Page not found" if error.status_code == 404 else "There is a problem"
        return render_page(request, "web/problem.html.j2", status_code=error.status_code, title=title,
                           message=message)
