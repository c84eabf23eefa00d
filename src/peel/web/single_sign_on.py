"""Single sign-on with OpenID Connect: the authorization code flow with PKCE, through authlib.

``/sign-in/<name>`` sends the browser to provider ``<name>`` (``peel.casebook.identity_providers``)
with a fresh state, nonce and PKCE code challenge. Those wait for the browser's return in a
signed cookie of their own, ``__Host-peel-sign-in`` (Secure, HttpOnly, SameSite=Lax, ten
minutes), so only the browser that set out can finish, and only once. At
``/sign-in/<name>/callback`` authlib checks the state, exchanges the code (with the PKCE
verifier) for the ID token, and checks that token: its signature against the keys the
provider publishes (JWKS), its issuer, its audience (peel's client id), its expiry and the
nonce. The account is the casebook's (``sign_in_with_provider``): the one linked to the
provider's name and the token's ``sub``; the session is the same as after a password.
Every refusal is written to the audit log and shown on the sign-in page.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

import httpx2
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.starlette_client import OAuth, OAuthError
from authlib.integrations.starlette_client.apps import StarletteOAuth2App
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from joserfc.errors import JoseError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from peel.casebook import UnknownUser
from peel.casebook.identity_providers import IdentityProvider, load_identity_providers
from peel.casebook.sessions import record_refused_sign_in, sign_in_with_provider
from peel.web.auth import begin_session, render_sign_in
from peel.web.security import get_safe_next

log = logging.getLogger(__name__)
SIGN_IN_COOKIE = "__Host-peel-sign-in"
FLOW_LIFETIME_SECONDS = 600  # time to sign in at the provider before starting again
PROVIDER_TIMEOUT_SECONDS = 10
NEXT_KEY = "peel_next"  # where to go once signed in, beside authlib's state in the cookie
router = APIRouter()


def install(app: FastAPI) -> None:
    """Offer the providers of the installation's file (none: the routes answer 404)."""
    providers = load_identity_providers(app.state.settings.identity_providers_file)
    app.state.identity_providers = providers
    app.state.oauth = OAuth()
    for provider in providers.values():
        app.state.oauth.register(
            provider.name, client_id=provider.client_id, client_secret=provider.client_secret,
            server_metadata_url=provider.discovery_url,
            client_kwargs={"scope": "openid", "code_challenge_method": "S256",
                           "token_endpoint_auth_method": provider.token_endpoint_auth_method,
                           "timeout": PROVIDER_TIMEOUT_SECONDS},
        )
    # Its own key, derived from the installation's: a form token is never a valid cookie.
    cookie_key = hmac.new(app.state.secret_key, b"peel single sign-on", hashlib.sha256).hexdigest()
    app.add_middleware(SessionMiddleware, secret_key=cookie_key, session_cookie=SIGN_IN_COOKIE,
                       max_age=FLOW_LIFETIME_SECONDS, same_site="lax", https_only=True)
    app.include_router(router)


@router.get("/sign-in/{name}")
async def start_single_sign_on(request: Request, name: str, next: str = "/") -> Response:
    provider, client = _get_provider(request, name)
    request.session.clear()  # a sign-in abandoned at the provider is replaced by this one
    request.session[NEXT_KEY] = get_safe_next(next)
    callback = str(request.url_for("finish_single_sign_on", name=name))
    try:
        return await client.authorize_redirect(request, callback)
    except (httpx2.HTTPError, ValueError) as error:  # no answer, or no discovery document
        return await _refuse(request, provider, f"the provider could not be reached: {error}",
                             _unreachable(provider), 502)


@router.get("/sign-in/{name}/callback", name="finish_single_sign_on")
async def finish_single_sign_on(request: Request, name: str) -> Response:
    provider, client = _get_provider(request, name)
    target = request.session.pop(NEXT_KEY, "/")
    checks = {"iss": {"essential": True, "value": provider.issuer},
              "aud": {"essential": True, "value": provider.client_id}}
    try:
        token = await client.authorize_access_token(request, claims_options=checks)
    except MismatchingStateError:
        return await _refuse(request, provider, "the state did not match this browser's sign-in",
                             "This sign-in was not started in this browser, or took more than "
                             f"{FLOW_LIFETIME_SECONDS // 60} minutes. Start again.", 400, target)
    except OAuthError as error:
        return await _refuse(request, provider, f"the provider refused: {error.error}",
                             f"{provider.title} did not sign you in ({error.error}). Try again; if "
                             "it happens again, tell your peel administrator.", 401, target)
    except JoseError as error:
        return await _refuse(request, provider, f"the ID token failed its checks: {error}",
                             f"peel could not verify the answer from {provider.title}. Try again; if "
                             "it happens again, tell your peel administrator.", 401, target)
    except (httpx2.HTTPError, ValueError) as error:
        return await _refuse(request, provider, f"the provider could not be reached: {error}",
                             _unreachable(provider), 502, target)
    request.session.clear()
    if "userinfo" not in token:  # the provider ignored the "openid" scope
        return await _refuse(request, provider, "the provider sent no ID token",
                             f"{provider.title} did not say who you are (it sent no ID token). Tell "
                             "your peel administrator.", 502, target)
    url = request.app.state.settings.casebook_url
    try:
        signed_in = await run_in_threadpool(sign_in_with_provider, name, token["userinfo"]["sub"], url=url)
    except UnknownUser as refusal:
        return await run_in_threadpool(render_sign_in, request, target, status_code=403,
                                       provider_error=str(refusal))
    await run_in_threadpool(begin_session, request, signed_in)
    return RedirectResponse(target, status_code=303)


def _get_provider(request: Request, name: str) -> tuple[IdentityProvider, StarletteOAuth2App]:
    provider = request.app.state.identity_providers.get(name)
    if provider is None:
        raise HTTPException(404)
    return provider, request.app.state.oauth.create_client(name)


def _unreachable(provider: IdentityProvider) -> str:
    return (f"peel could not get an answer from {provider.title}. Try again in a few minutes; if it "
            "goes on, tell your peel administrator.")


async def _refuse(request: Request, provider: IdentityProvider, reason: str, message: str,
                  status_code: int, target: str = "/") -> Response:
    """Log the refusal (the server's log and the audit log) and say it on the sign-in page."""
    log.warning("Single sign-on with %s refused: %s", provider.name, reason)
    request.session.clear()
    url = request.app.state.settings.casebook_url
    await run_in_threadpool(record_refused_sign_in, provider.name, reason, url=url)
    return await run_in_threadpool(render_sign_in, request, target, status_code=status_code,
                                   provider_error=message)
