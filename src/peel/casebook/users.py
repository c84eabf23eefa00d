"""Casebook accounts: local accounts with argon2 password hashes, roles from ``roles.yaml``.

The first account must be an administrator; it is created without signing in (bootstrap)
only while the casebook is empty and only from the machine the casebook is on (a SQLite file,
or PostgreSQL on loopback or a local socket). After that only an administrator adds or
disables accounts. Each account records its identity provider: ``local`` (a password),
``service`` (a scripted job's key, kept in a file: it signs in on the command line only), or
the name of an OpenID Connect provider the web app is configured with
(``peel.casebook.identity_providers``) and the user's subject id there, for single sign-on. The
password rules are ``check_password``'s, here only. Account changes are written to the audit log.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peel.casebook import access, audit
from peel.casebook.access import Actor, Request
from peel.casebook.audit import Operation
from peel.casebook.errors import InvalidInput, InvalidStateChange, UnknownUser
from peel.casebook.models import User, now_utc
from peel.casebook.roles import ADMINISTRATOR, Action, get_role

LOCAL_PROVIDER = "local"
SERVICE_PROVIDER = "service"  # a scripted job: its "password" is a random key in a file
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 12
MIN_DISTINCT_CHARACTERS = 5  # "aaaaaaaaaaaa" and "121212121212" are long but guessed at once
# Hosts that are this machine: the bootstrap may reach a PostgreSQL casebook only through them.
LOOPBACK_HOSTS = {None, "", "localhost", "127.0.0.1", "::1"}

# argon2id with the library's defaults (RFC 9106 low-memory profile): salted and slow.
_hasher = PasswordHasher()


@dataclass(frozen=True)
class UserSummary:
    username: str
    role: str
    identity_provider: str
    active: bool
    created_at: datetime


def add_user(
    session: Session,
    username: str,
    role: str,
    *,
    acting: str | None,
    password: str | None = None,
    identity_provider: str = LOCAL_PROVIDER,
    external_subject: str | None = None,
) -> int:
    """Create an account. With no accounts yet, this bootstraps the first administrator, from
    this machine only; ``acting`` must then be None (nobody has signed in)."""
    # Lock the chain head first: two first-time bootstraps at once must not both succeed.
    audit.lock_head(session)
    bootstrap = count_users(session) == 0
    if bootstrap:
        if role != ADMINISTRATOR:
            raise InvalidInput(
                f"There are no users yet: the first must be an administrator "
                f"(`peel users add {username} --role {ADMINISTRATOR}`)."
            )
        if not is_on_this_machine(session):
            raise InvalidInput(
                "The first administrator can be added only on the machine the casebook is on: run "
                "`peel users add` there (PostgreSQL on localhost or a local socket).")
        actor_name, actor_role = username, ADMINISTRATOR
    else:
        actor = access.authorise(session, acting, Request(Action.MANAGE_USERS, "user"))
        actor_name, actor_role = actor.username, actor.role.name
    _check_new_user(session, username, role, password, identity_provider, external_subject)
    user = User(
        username=username,
        role=role,
        identity_provider=identity_provider,
        external_subject=external_subject,
        password_hash=_hasher.hash(password) if password is not None else None,
        active=True,
        created_at=now_utc(),
    )
    session.add(user)
    session.flush()
    audit.append_entry(
        session, actor=actor_name, role=actor_role, operation=Operation.ADMINISTRATION,
        object_type="user", object_id=user.id,
        detail={"change": "added", "username": username, "role": role,
                "identity_provider": identity_provider, "bootstrap": bootstrap},
    )
    return user.id


def _check_new_user(session, username, role, password, identity_provider, external_subject) -> None:
    if not USERNAME_PATTERN.match(username):
        raise InvalidInput(
            f"Username {username!r} is not allowed: use 2-64 lower-case letters, digits, '.', '_' or '-'."
        )
    get_role(role)  # refuses an unknown role, listing the known ones
    if session.execute(select(User.id).where(User.username == username)).first():
        raise InvalidInput(f"There is already a user {username!r}.")
    if identity_provider == LOCAL_PROVIDER:
        check_password(username, password)
        return
    if identity_provider == SERVICE_PROVIDER:
        if password is None or len(password) < len(new_service_key()):
            raise InvalidInput("A service account needs a key from `users.new_service_key()`.")
        return
    if not external_subject:
        raise InvalidInput("An account from an identity provider needs its subject id (external_subject).")
    # Single sign-on finds the account by these two: each pair is one account.
    linked = select(User.username).where(User.identity_provider == identity_provider,
                                         User.external_subject == external_subject)
    if session.execute(linked).first():
        raise InvalidInput(f"There is already a user for subject {external_subject!r} at {identity_provider!r}.")


def count_users(session: Session) -> int:
    """How many accounts there are (none: the next one added is the bootstrap administrator)."""
    return session.execute(select(func.count()).select_from(User)).scalar_one()


def check_password(username: str, password: str | None) -> None:
    """The password rules, the one place they are: NCSC guidance favours length over
    composition rules, so a long password that is not the name and not a repeated pattern."""
    if password is None or len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"A password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if username in password.lower():
        raise InvalidInput("A password must not contain the username.")
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        raise InvalidInput(f"A password must use at least {MIN_DISTINCT_CHARACTERS} different characters.")


def new_service_key() -> str:
    """A service account's key: random, so long that no lock-out is needed to protect it."""
    return secrets.token_urlsafe(32)


def is_on_this_machine(session: Session) -> bool:
    """Whether the casebook is on this machine: a SQLite file, or PostgreSQL on loopback or a
    Unix socket (no host, or a host that is a folder)."""
    url = session.get_bind().url
    host = url.host or url.query.get("host")
    return url.get_backend_name() == "sqlite" or host in LOOPBACK_HOSTS or str(host).startswith("/")


def disable_user(session: Session, username: str, *, acting: str | None) -> None:
    """Disable an account (kept, so the audit log's references stay meaningful)."""
    actor = access.authorise(session, acting, Request(Action.MANAGE_USERS, "user"))
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise UnknownUser(f"There is no casebook user {username!r}.")
    if not user.active:
        raise InvalidStateChange(f"The user {username!r} is already disabled.")
    if user.id == actor.id:
        raise InvalidStateChange("You cannot disable your own account; ask another administrator.")
    user.active, user.disabled_at = False, now_utc()
    access.record(session, actor, Operation.ADMINISTRATION, "user", user.id,
                  detail={"change": "disabled", "username": username})


def list_users(session: Session, *, acting: str | None) -> list[UserSummary]:
    """All accounts, for an administrator."""
    access.authorise(session, acting, Request(Action.MANAGE_USERS, "user"))
    users = session.execute(select(User).order_by(User.username)).scalars()
    return [UserSummary(u.username, u.role, u.identity_provider, u.active, u.created_at) for u in users]


def authenticate(session: Session, username: str, password: str,
                 provider: str = LOCAL_PROVIDER) -> Actor:
    """Check a local account's password (a service account's key, with ``provider`` "service");
    the same refusal for every failure, so names can't be probed."""
    refusal = UnknownUser("Unknown user or wrong password.")
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active or user.identity_provider != provider or not user.password_hash:
        raise refusal
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError):
        raise refusal from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return Actor(id=user.id, username=user.username, role=get_role(user.role))
