"""Pages in the GOV.UK Design System, rendered on the server.

Templates are read through the shared Jinja environment of ``peel.render`` (``web/x.html.j2``
is ``peel/web/templates/x.html.j2``; a domain's are ``<domain>/...``), with GOV.UK Frontend's
macros added under ``govuk_frontend_jinja/``. The header is the Generic header with the
force's name and the service name "peel", not GOV.UK's: no crown, no GOV.UK logotype.
"""

from __future__ import annotations

from functools import cache

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from peel.render import get_environment
from peel.web.security import get_form_token
from peel.web.visitor import get_actor
from peel.web.warehouse import get_page_snapshot

SERVICE_NAME = "peel"
# The vendored GOV.UK Frontend: static/<this>/, with its SOURCE.md. Its Jinja macros come
# from the matching govuk-frontend-jinja release (pyproject.toml).
GOVUK_FRONTEND = "govuk-frontend-6.3.0"
STATIC_URL = "/static"


@cache
def get_web_environment() -> jinja2.Environment:
    """The shared environment, able to load GOV.UK Frontend's macros too.

    Lenient about missing values, unlike the pack's: GOV.UK's macros test options they were
    not given (``params.classes``), which the strict environment refuses.
    """
    shared = get_environment()
    return shared.overlay(
        loader=jinja2.ChoiceLoader([
            shared.loader,
            jinja2.PrefixLoader({"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}),
        ]),
        undefined=jinja2.Undefined,
    )


def render_page(request: Request, template: str, *, status_code: int = 200, signed_in: bool = True,
                **context) -> HTMLResponse:
    """Render ``template`` (which extends ``web/layout.html.j2``) for this visitor;
    ``signed_in=False`` leaves out who is signed in (when the casebook cannot say). The
    footer names the data snapshot the page shows (``peel.web.warehouse``)."""
    data = get_page_snapshot(request)
    html = get_web_environment().get_template(template).render(
        actor=get_actor(request) if signed_in else None,
        csrf_token=get_form_token(request),
        # None until a warehouse names the force
        force_name=request.app.state.force_name or (data or {}).get("force_name"),
        data_snapshot=data,
        service_name=SERVICE_NAME,
        path=request.url.path,
        static=STATIC_URL,
        govuk_frontend=f"{STATIC_URL}/{GOVUK_FRONTEND}",
        **context,
    )
    return HTMLResponse(html, status_code=status_code)
