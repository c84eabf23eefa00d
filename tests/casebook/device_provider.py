"""A small OpenID Connect provider with the device-authorisation flow (RFC 8628), for tests.

oidc-provider-mock (the web's single sign-on tests) has no device endpoint, so this one is
put together from authlib's own server classes: ``DeviceAuthorizationEndpoint`` and
``DeviceCodeGrant`` (rfc8628), with ``OpenIDToken`` (oidc.core) adding a signed ID token to
the token response. It is served by werkzeug on a free loopback port in a thread, and peel
talks to it over HTTP as to any provider. The person's part is its approval page: a form
POSTed to ``/device`` with the user code, who they are (``sub``) and "approve" or "deny".

``Options`` bend it for the refusal tests: codes that expire at once, a ``slow_down`` on the
first poll, ID tokens with another issuer or audience, or signed with a key it does not publish.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import werkzeug.serving
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oauth2.rfc8628 import (
    DeviceAuthorizationEndpoint,
    DeviceCodeGrant,
    DeviceCredentialDict,
)
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDToken
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey

CLIENT_ID = "peel-cli"
CLIENT_SECRET = "a secret the provider issued to peel"


@dataclass
class Options:
    expires_in: int = 600
    interval: int = 1
    slow_down_first: bool = False
    claims: dict = field(default_factory=dict)  # replace these claims in every ID token
    sign_with_unpublished_key: bool = False
    public_client: bool = False  # peel is registered without a secret: it sends only its client_id


@dataclass
class Provider:
    issuer: str
    user_codes: list[str]  # every code handed out, newest last
    polls: list[float]  # when the token endpoint was asked (time.monotonic)

    def wait_for_code(self, timeout: float = 10) -> str:
        """The user code of the sign-in peel has just started (as the person reads it)."""
        deadline = time.monotonic() + timeout
        while not self.user_codes:
            if time.monotonic() > deadline:
                raise TimeoutError("peel asked the provider for no device code")
            time.sleep(0.02)
        return self.user_codes[-1]


class _Client(ClientMixin):
    def __init__(self, public: bool):
        self.public = public

    def get_client_id(self):
        return CLIENT_ID

    def check_client_secret(self, client_secret):
        return not self.public and client_secret == CLIENT_SECRET

    def check_endpoint_auth_method(self, method, endpoint):
        return method == ("none" if self.public else "client_secret_basic")

    def check_grant_type(self, grant_type):
        return grant_type == DeviceCodeGrant.GRANT_TYPE

    def get_allowed_scope(self, scope):
        return scope


def _create_app(options: Options, issuer_box: list[str], provider: Provider) -> Flask:
    app = Flask(__name__)
    signing_key = RSAKey.generate_key(2048, parameters={"kid": "peel-test", "use": "sig"})
    published_key = RSAKey.generate_key(2048, parameters={"kid": "peel-test", "use": "sig"}) \
        if options.sign_with_unpublished_key else signing_key
    credentials: dict[str, DeviceCredentialDict] = {}  # by device code
    grants: dict[str, tuple[str, bool]] = {}  # user code -> (sub, approved)
    slowed: set[str] = set()

    class Endpoint(DeviceAuthorizationEndpoint):
        EXPIRES_IN, INTERVAL = options.expires_in, options.interval

        def get_verification_uri(self):
            return f"{issuer_box[0]}/device"

        def save_device_credential(self, client_id, scope, data):
            credentials[data["device_code"]] = DeviceCredentialDict(
                client_id=client_id, scope=scope, expires_at=time.time() + data["expires_in"], **data)
            provider.user_codes.append(data["user_code"])

    class Grant(DeviceCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ("none",) if options.public_client else ("client_secret_basic",)

        def query_device_credential(self, device_code):
            provider.polls.append(time.monotonic())
            return credentials.get(device_code)

        def query_user_grant(self, user_code):
            return grants.get(user_code)

        def should_slow_down(self, credential):
            if options.slow_down_first and credential["device_code"] not in slowed:
                slowed.add(credential["device_code"])
                return True
            return False

    class IDToken(OpenIDToken):
        def resolve_client_private_key(self, client):
            return signing_key

        def get_client_claims(self, client):
            return {"iss": issuer_box[0], "aud": [CLIENT_ID], **options.claims}

        def generate_user_info(self, user, scope):
            return UserInfo(sub=user)

    server = AuthorizationServer(app, query_client=lambda client_id: _Client(options.public_client) if client_id == CLIENT_ID else None,
                                 save_token=lambda token, request: None)
    server.register_endpoint(Endpoint)
    server.register_grant(Grant, [IDToken()])

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify(issuer=issuer_box[0], token_endpoint=f"{issuer_box[0]}/token",
                       device_authorization_endpoint=f"{issuer_box[0]}/device_authorization",
                       jwks_uri=f"{issuer_box[0]}/jwks", id_token_signing_alg_values_supported=["RS256"],
                       grant_types_supported=[DeviceCodeGrant.GRANT_TYPE])

    @app.get("/jwks")
    def jwks():
        return jsonify(keys=[published_key.as_dict(private=False)])

    @app.post("/device_authorization")
    def device_authorization():
        return server.create_endpoint_response("device_authorization")

    @app.post("/token")
    def token():
        return server.create_token_response()

    @app.post("/device")
    def approve():
        """The person's answer: the code they were shown, who they are, approve or deny."""
        user_code = request.form["user_code"]
        if user_code not in provider.user_codes:
            return "Unknown code", 404
        grants[user_code] = (request.form["sub"], request.form["action"] == "approve")
        return "Thank you: you can go back to your terminal."

    return app


@contextmanager
def run_device_provider(options: Options | None = None) -> Iterator[Provider]:
    """The provider on a free loopback port, in a thread, until the block ends."""
    issuer_box: list[str] = []
    provider = Provider(issuer="", user_codes=[], polls=[])
    app = _create_app(options or Options(), issuer_box, provider)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    issuer_box.append(provider.issuer)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=10)
