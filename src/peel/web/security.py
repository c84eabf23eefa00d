"""What every response and every form gets: secure headers, a form token, safe redirects.

Form tokens (CSRF): every page's forms carry ``csrf_token``, an HMAC of the visitor's session
cookie under the installation's secret key, and every POST (from any router, a domain's
included) is refused without the right one. A page elsewhere cannot read the cookie nor
compute the HMAC, so it cannot post a form as the user; before sign-in the cookie is a
random value that the sign-in then replaces, so the sign-in form is protected too.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from peel.settings import Settings

# No inline script or style, nothing from another site, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# Sent only over https: a browser then refuses plain http to this host for a year.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
FORM_TOKEN_FIELD = "csrf_token"
FORM_TOKEN_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class FormTokenRefused(Exception):
    """A POST without the form token of the visitor's session."""


def load_secret_key(settings: Settings) -> bytes:
    """PEEL_SECRET_KEY, or the key generated once into PEEL_HOME (readable by its owner only)."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    path = settings.secret_key_path
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole beside it, then linked into place: two servers starting at once both
        # end up with the one key that got there first, never a half-written file.
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_bytes().strip()


def get_form_token(request: Request) -> str:
    """The token this visitor's forms carry: bound to their session cookie."""
    key = request.app.state.secret_key
    return hmac.new(key, request.state.session_token.encode("utf-8"), hashlib.sha256).hexdigest()


async def check_form_token(request: Request) -> None:
    """Refuse any request that changes something without the visitor's form token."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(FORM_TOKEN_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get(FORM_TOKEN_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent, get_form_token(request)):
        raise FormTokenRefused()


def add_secure_headers(app: ASGIApp) -> ASGIApp:
    """Middleware: the secure headers on every response; no caching of pages. Plain ASGI, not
    ``BaseHTTPMiddleware``, which costs every request a task and a stream."""

    async def with_secure_headers(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(HEADERS)
                if scope["scheme"] == "https":
                    headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
                if headers.get("content-type", "").startswith("text/html"):
                    # Pages may show personal data: no copy in the browser's or a proxy's cache.
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await app(scope, receive, send_with_headers)

    return with_secure_headers


def get_safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the start page, so a sign-in link cannot
    send someone to another site afterwards."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target  # browsers read "/\evil.example" as "//evil.example"
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)
    ):
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target
