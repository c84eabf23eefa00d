"""Single sign-on on the command line: OpenID Connect's device-authorisation flow (RFC 8628).

A terminal has no browser to send back to peel, so ``peel login --provider NAME`` asks the
provider (one of ``peel.casebook.identity_providers``, the web's own list) for a device code, shows
the person an address and a short code to enter there in any browser, and polls the
provider's token endpoint until they approve, refuse, or the code expires. The provider's
answer is an ID token, checked as the web's single sign-on checks it: its signature against
the keys the provider publishes (JWKS), its issuer, its audience (peel's client id) and its
expiry; there is no nonce in this flow (the device code, sent only to peel, binds the answer
to this request). The account is the casebook's (``sessions.sign_in_with_provider``, the
web's too): the one linked to the provider's name and the token's ``sub``.

The HTTP client, the client authentication and the token request are authlib's; the claims
checks are authlib's ``CodeIDToken``. Every refusal is written to the audit log, as the web's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from peel.casebook.errors import NotSignedIn
from peel.casebook.identity_providers import IdentityProvider
from peel.casebook.sessions import SignedIn, record_refused_sign_in, sign_in_with_provider

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
TIMEOUT_SECONDS = 10
DEFAULT_INTERVAL_SECONDS = 5  # RFC 8628 3.2: when the provider does not say
SLOW_DOWN_SECONDS = 5  # RFC 8628 3.5: added to the interval at each slow_down
LEEWAY_SECONDS = 120  # clocks apart: the web's single sign-on allows the same
_pause = time.sleep  # between polls (a test replaces it to press Ctrl-C)


@dataclass(frozen=True)
class DeviceCode:
    """What the provider gave for this sign-in: what to show the person, and how to poll."""
    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: int
    interval: int


def sign_in_with_device(provider: IdentityProvider, *, show: Callable[[DeviceCode], None],
                        lifetime: timedelta, url: str | None = None,
                        sleep: Callable[[float], None] | None = None) -> SignedIn:
    """Sign in through ``provider``'s device flow: ``show`` tells the person where to go and
    what code to enter; then poll (``sleep`` between polls) until the provider answers. Refuse
    with ``NotSignedIn`` (or ``UnknownUser`` for an identity linked to no active account),
    having logged why. Ctrl-C while polling (KeyboardInterrupt) stops it, signing nobody in."""
    with OAuth2Client(provider.client_id, provider.client_secret, scope="openid", timeout=TIMEOUT_SECONDS,
                      token_endpoint_auth_method=provider.token_endpoint_auth_method) as client:
        try:
            metadata = _discover(client, provider)
            code = _request_device_code(client, provider, metadata)
            show(code)
            token = _poll(client, provider, metadata, code, sleep or _pause)
            subject = _check_id_token(client, provider, metadata, token)
        except httpx2.HTTPError as error:
            refusal = _Refusal(f"the provider could not be reached: {error}",
                               f"peel could not get an answer from {provider.title}. Try again in a "
                               "few minutes; if it goes on, tell your peel administrator.")
        except _Refusal as refused:
            refusal = refused
        else:
            return sign_in_with_provider(provider.name, subject, url=url, lifetime=lifetime)
    record_refused_sign_in(provider.name, refusal.reason, url=url)
    raise NotSignedIn(refusal.message)


class _Refusal(Exception):
    """A sign-in refused before the provider said who it was: why (for the log), and what to
    tell the person."""

    def __init__(self, reason: str, message: str):
        super().__init__(reason)
        self.reason, self.message = reason, message


def _discover(client: OAuth2Client, provider: IdentityProvider) -> dict:
    response = client.request("GET", provider.discovery_url, withhold_token=True)
    response.raise_for_status()
    metadata = response.json()
    if "device_authorization_endpoint" not in metadata:
        raise _Refusal("the provider has no device_authorization_endpoint",
                       f"{provider.title} does not offer sign-in from a terminal (the OpenID Connect "
                       "device flow). Use the web app, or ask your peel administrator.")
    return metadata


def _request_device_code(client: OAuth2Client, provider: IdentityProvider, metadata: dict) -> DeviceCode:
    response = client.request("POST", metadata["device_authorization_endpoint"], data={"scope": "openid"},
                           auth=client.client_auth(client.token_endpoint_auth_method), withhold_token=True)
    answer = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    if response.status_code != 200 or "device_code" not in answer:
        error = answer.get("error", f"HTTP {response.status_code}")
        raise _Refusal(f"the provider refused a device code: {error}",
                       f"{provider.title} would not start a sign-in for peel ({error}). Tell your "
                       "peel administrator.")
    return DeviceCode(answer["device_code"], answer["user_code"], answer["verification_uri"],
                      answer.get("verification_uri_complete"), int(answer.get("expires_in", 600)),
                      int(answer.get("interval", DEFAULT_INTERVAL_SECONDS)))


def _poll(client: OAuth2Client, provider: IdentityProvider, metadata: dict, code: DeviceCode,
          sleep: Callable[[float], None]) -> dict:
    """Ask for the token every ``interval`` seconds until the person has answered at the provider."""
    deadline = time.monotonic() + code.expires_in
    interval = code.interval
    while True:
        sleep(interval)
        try:
            return client.fetch_token(metadata["token_endpoint"], grant_type=DEVICE_CODE_GRANT,
                                      device_code=code.device_code)
        except OAuthError as answer:
            if answer.error == "slow_down":
                interval += SLOW_DOWN_SECONDS
            elif answer.error != "authorization_pending":
                raise _Refusal(f"the provider refused: {answer.error}",
                               _explain(provider, answer.error)) from None
        if time.monotonic() > deadline:
            raise _Refusal("the code expired before it was approved",
                           _explain(provider, "expired_token"))


def _explain(provider: IdentityProvider, error: str) -> str:
    if error == "access_denied":
        return f"The sign-in was refused at {provider.title}. Nobody is signed in."
    if error == "expired_token":
        return (f"The code was not approved at {provider.title} in time. Run `peel login "
                "--provider` again for a new one.")
    return (f"{provider.title} did not sign you in ({error}). Try again; if it happens again, tell "
            "your peel administrator.")


def _check_id_token(client: OAuth2Client, provider: IdentityProvider, metadata: dict, token: dict) -> str:
    """The ``sub`` of the token's ID token, once its signature and claims have been checked."""
    if "id_token" not in token:
        raise _Refusal("the provider sent no ID token",
                       f"{provider.title} did not say who you are (it sent no ID token). Tell your "
                       "peel administrator.")
    try:
        keys = client.request("GET", metadata["jwks_uri"], withhold_token=True)
        keys.raise_for_status()
        registry = JWSRegistry(algorithms=metadata.get("id_token_signing_alg_values_supported"))
        decoded = jwt.decode(token["id_token"], KeySet.import_key_set(keys.json()), registry=registry)
        checks = {"iss": {"essential": True, "value": provider.issuer},
                  "aud": {"essential": True, "value": provider.client_id}}
        claims = CodeIDToken(decoded.claims, decoded.header, checks,
                             {"client_id": provider.client_id, "access_token": token.get("access_token")})
        claims.validate(leeway=LEEWAY_SECONDS)
    except (JoseError, ValueError, KeyError) as error:
        raise _Refusal(f"the ID token failed its checks: {error}",
                       f"peel could not verify the answer from {provider.title}. Try again; if it "
                       "happens again, tell your peel administrator.") from None
    return claims["sub"]

