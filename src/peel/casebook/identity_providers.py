"""The OpenID Connect providers people may sign in with, declared in one YAML file
(``PEEL_IDENTITY_PROVIDERS``, default ``$PEEL_HOME/identity-providers.yaml``):

    chalkshire:                          # the name accounts give: --identity-provider chalkshire
      title: Chalkshire Police account   # the button says "Sign in with Chalkshire Police account"
      issuer: https://login.example.police.uk/realms/staff
      client_id: peel
      client_secret: the secret the provider issued to peel   # leave out for a public client

A provider that registers peel as a public client (no secret; usual for sign-in from a
terminal, RFC 8628) is declared without ``client_secret``: peel then sends only its client_id,
and the web's sign-in relies on PKCE alone, as the provider expects of a public client.

One file rather than variables per provider: several providers are one list to read, and the
client secrets stay in a file only its owner can read instead of in every child process's
environment. No file, no single sign-on: the sign-in page offers passwords only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from peel.casebook.users import LOCAL_PROVIDER

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
FIELDS = ("title", "issuer", "client_id", "client_secret")
REQUIRED = ("title", "issuer", "client_id")  # no client_secret: a public client
# Plain http only on this computer (trying peel out, tests): anywhere else an issuer is https.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class IdentityProvidersError(ValueError):
    """The providers' file cannot be used; the message says where and what to change."""


@dataclass(frozen=True)
class IdentityProvider:
    name: str  # what accounts store as their identity_provider
    title: str
    issuer: str
    client_id: str
    client_secret: str | None = None  # None: a public client

    @property
    def token_endpoint_auth_method(self) -> str:
        """How peel proves it is this client at the token endpoint (RFC 7591's names)."""
        return "client_secret_basic" if self.client_secret else "none"

    @property
    def discovery_url(self) -> str:
        """The provider's OpenID Connect discovery document (its endpoints and keys)."""
        return f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"


def load_identity_providers(path: Path) -> dict[str, IdentityProvider]:
    """The providers declared in ``path`` by name, in the file's order; none if it does not exist."""
    if not path.exists():
        return {}
    try:
        with path.open(encoding="utf-8") as file:
            declared = yaml.safe_load(file)
    except yaml.YAMLError as error:  # its message gives the line and column
        raise IdentityProvidersError(f"{path}: not valid YAML: {error}") from None
    if declared is None:
        return {}
    if not isinstance(declared, dict):
        raise IdentityProvidersError(
            f"{path}: expected a mapping of provider names to their {', '.join(FIELDS)}.")
    return {name: _read_provider(path, name, fields) for name, fields in declared.items()}


def _read_provider(path: Path, name: object, fields: object) -> IdentityProvider:
    where = f"{path}, provider {name!r}"
    if not isinstance(name, str) or not NAME_PATTERN.match(name) or name == LOCAL_PROVIDER:
        raise IdentityProvidersError(
            f"{where}: a provider's name is 1-40 lower-case letters, digits or '-', and not "
            f"{LOCAL_PROVIDER!r} (which means a password).")
    if not isinstance(fields, dict):
        raise IdentityProvidersError(f"{where}: expected its {', '.join(FIELDS)}.")
    unknown = sorted(set(fields) - set(FIELDS), key=str)
    if unknown:
        raise IdentityProvidersError(
            f"{where}: unknown field {unknown[0]!r}; the fields are {', '.join(FIELDS)}.")
    for field in FIELDS:
        if field not in REQUIRED and field not in fields:
            continue  # left out: a public client
        if not isinstance(fields.get(field), str) or not fields[field].strip():
            raise IdentityProvidersError(f"{where}: {field} is missing (expected text)."
                                         + ("" if field in REQUIRED else " Leave it out for a public client."))
    _check_issuer(where, fields["issuer"])
    return IdentityProvider(name=name, **{field: fields[field].strip() for field in FIELDS if field in fields})


def _check_issuer(where: str, issuer: str) -> None:
    parts = urlsplit(issuer.strip())
    secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)
    if not secure or not parts.hostname or parts.query or parts.fragment:
        raise IdentityProvidersError(
            f"{where}: issuer {issuer!r} is not an https address without query or fragment "
            "(the provider's documentation calls it the issuer or the authority).")
