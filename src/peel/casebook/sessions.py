"""Signing in to the web app: the password check with a lock-out, and sessions.

Lock-out: 5 wrong passwords under one name within 15 minutes lock that name for 15 minutes,
during which even the right password is refused (and not checked). Names that are not
accounts are counted the same way, so a lock-out does not reveal whether an account exists.
A successful sign-in clears the count.

Sessions are records here, not signed cookies, so signing out ends a session everywhere and
at once. The browser holds a random token; the casebook keeps only its SHA-256, so reading
the table does not let anyone act as the user. A session lasts 12 hours from sign-in (a long
shift) and is refused at once if the account is disabled. ``peel login`` opens the same kind
of session, with the same lock-out, for 8 hours (``COMMAND_LINE_SESSION_LIFETIME``); the
command line keeps its token in a file only its OS user can read (``session_file``). A single sign-on (OpenID Connect,
``sign_in_with_provider``) opens the same session, once the web app (or ``peel login --provider``) has checked the provider's
token: the account is the one linked to the provider's name and the user's subject id there.

Every sign-in, failure, lock-out, refusal while locked and sign-out is written to the audit
log, with the name tried (only when it could be a username: a password typed into the name
box is not logged). Each function runs its own transaction, because a failed attempt must be
recorded and then refused.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from peel.casebook import access, audit
from peel.casebook.access import Actor
from peel.casebook.audit import Operation
from peel.casebook.db import get_read_only_engine, transaction
from peel.casebook.errors import CasebookError, UnknownUser
from peel.casebook.models import SignInGuard, User, WebSession, as_utc, now_utc
from peel.casebook.roles import get_role
from peel.casebook.users import LOCAL_PROVIDER, USERNAME_PATTERN, authenticate

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
# Shorter than the web's: a terminal left signed in is easier to walk up to than a browser tab.
COMMAND_LINE_SESSION_LIFETIME = timedelta(hours=8)
# What the audit log says for a name that cannot be a username (perhaps a password).
NOT_A_USERNAME = "(not a username)"
# ... and for a single sign-on that reached no account.
NO_ACCOUNT = "(no account)"


class AccountLocked(CasebookError):
    """Too many wrong passwords under this name: sign-in is refused until ``until``."""

    def __init__(self, until: datetime):
        super().__init__(
            f"This account is locked after {MAX_FAILURES} wrong passwords in "
            f"{FAILURE_WINDOW.seconds // 60} minutes. Try again later, or ask an administrator."
        )
        self.until = until


@dataclass(frozen=True)
class SignedIn:
    actor: Actor
    token: str  # for the browser's cookie; the casebook keeps only its hash


def sign_in(username: str, password: str, *, url: str | None = None, provider: str = LOCAL_PROVIDER,
            lifetime: timedelta = SESSION_LIFETIME) -> SignedIn:
    """Check the password (a service account's key, with ``provider`` "service") and open a
    session; refuse with ``UnknownUser`` (the same message for every wrong name or password) or
    ``AccountLocked``, having recorded the attempt."""
    with transaction(url) as session:
        outcome = _attempt(session, username, password, provider, lifetime)
    if isinstance(outcome, CasebookError):
        raise outcome
    return outcome


def _attempt(session: Session, username: str, password: str, provider: str,
             lifetime: timedelta) -> SignedIn | CasebookError:
    now = now_utc()
    if not USERNAME_PATTERN.match(username):
        _log(session, NOT_A_USERNAME, "unknown", "sign_in_failed")
        return UnknownUser("Unknown user or wrong password.")
    guard = session.get(SignInGuard, username)
    if guard is not None and guard.locked_until is not None and as_utc(guard.locked_until) > now:
        _log(session, username, _role_of(session, username), "refused_while_locked")
        return AccountLocked(as_utc(guard.locked_until))
    try:
        actor = authenticate(session, username, password, provider)
    except UnknownUser as refusal:
        return _record_failure(session, username, guard, now) or refusal
    if guard is not None:
        session.delete(guard)
    return _open_session(session, actor, now, lifetime)


def _open_session(session: Session, actor: Actor, now: datetime, lifetime: timedelta,
                  **detail) -> SignedIn:
    """A new session for ``actor``, whatever proved who they are; ``detail`` goes to the log."""
    token = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_hash(token), user_id=actor.id, created_at=now,
                           expires_at=now + lifetime))
    # Expired sessions are cleared here, so the table holds only live ones and the recent past.
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    _log(session, actor.username, actor.role.name, "signed_in", **detail)
    return SignedIn(actor, token)


def _record_failure(session: Session, username: str, guard: SignInGuard | None,
                    now: datetime) -> AccountLocked | None:
    """Count a wrong password; lock the name (and return the refusal) at the limit."""
    if guard is None:
        guard = SignInGuard(username=username, failures=0, window_started_at=now)
        session.add(guard)
    if now - as_utc(guard.window_started_at) > FAILURE_WINDOW:
        guard.failures, guard.window_started_at = 0, now
    guard.failures += 1
    role = _role_of(session, username)
    _log(session, username, role, "sign_in_failed", failures=guard.failures)
    if guard.failures < MAX_FAILURES:
        guard.locked_until = None
        return None
    guard.failures, guard.locked_until = 0, now + LOCK_DURATION
    _log(session, username, role, "locked_out", until=audit.format_instant(guard.locked_until))
    return AccountLocked(guard.locked_until)


def sign_in_with_provider(provider: str, subject: str, *, url: str | None = None,
                          lifetime: timedelta = SESSION_LIFETIME) -> SignedIn:
    """Open a session for the account that identity ``provider`` has vouched for as ``subject``
    (single sign-on: the provider checked the password, so there is no lock-out here). Refuse
    with ``UnknownUser`` when no active account is linked to it, having recorded the attempt."""
    with transaction(url) as session:
        user = session.execute(
            select(User).where(User.identity_provider == provider, User.external_subject == subject)
        ).scalar_one_or_none()
        if user is None:
            _log(session, NO_ACCOUNT, "unknown", "sign_in_failed", identity_provider=provider,
                 subject=subject, reason="no account is linked to this subject")
            outcome = UnknownUser(
                f"You signed in with {provider}, but no peel account is linked to that identity. "
                f"Ask a peel administrator to add one for identity provider {provider!r} and "
                f"subject {subject!r}.")
        elif not user.active:
            _log(session, user.username, user.role, "sign_in_failed", identity_provider=provider,
                 reason="the account is disabled")
            outcome = UnknownUser(f"The peel account {user.username!r} is disabled. Ask a peel "
                                  "administrator if you still need it.")
        else:
            actor = Actor(id=user.id, username=user.username, role=get_role(user.role))
            outcome = _open_session(session, actor, now_utc(), lifetime, identity_provider=provider)
    if isinstance(outcome, CasebookError):
        raise outcome
    return outcome


def record_refused_sign_in(provider: str, reason: str, *, url: str | None = None) -> None:
    """Log a single sign-on refused before the provider said who it was (a forged or stale
    return, the provider's own refusal, a token that failed its checks)."""
    with transaction(url) as session:
        _log(session, NO_ACCOUNT, "unknown", "sign_in_failed", identity_provider=provider, reason=reason)


# Built once: the web app runs it for every request.
_SESSION_LOOKUP = (
    select(WebSession.expires_at, User.id, User.username, User.role, User.active)
    .join(User, User.id == WebSession.user_id)
    .where(WebSession.token_hash == bindparam("token_hash"))
)


def find_session(token: str, *, url: str | None = None) -> Actor | None:
    """The signed-in user whose session ``token`` is, or None (no such session, expired, or the
    account disabled since). Read afresh on every call: signing out, expiry or disabling the
    account ends the session from the next request on.

    One Core query on a read-only connection, not an ORM transaction: the web app asks this
    for every request, and it reads one row and writes nothing (not even an audit entry)."""
    with get_read_only_engine(url).connect() as connection:
        row = connection.execute(_SESSION_LOOKUP, {"token_hash": _hash(token)}).first()
    if row is None or as_utc(row.expires_at) <= now_utc() or not row.active:
        return None
    return Actor(id=row.id, username=row.username, role=get_role(row.role))


def sign_out(token: str, *, url: str | None = None) -> None:
    """End the session ``token`` (nothing happens if it has ended already)."""
    with transaction(url) as session:
        row = session.execute(
            select(WebSession, User).join(User, User.id == WebSession.user_id)
            .where(WebSession.token_hash == _hash(token))
        ).first()
        if row is None:
            return
        web_session, user = row
        session.delete(web_session)
        _log(session, user.username, user.role, "signed_out")


def record_refused_command(command: str, claimed: str | None, refusal: CasebookError, *,
                           url: str | None = None) -> None:
    """Log a command refused before it ran because nobody had signed in (or the session had
    ended, or was not theirs): the name claimed (``--as`` / ``PEEL_USER``), the command, why."""
    with transaction(url) as session:
        role = _role_of(session, claimed) if claimed else access.NO_ONE
        audit.append_entry(session, actor=(claimed or access.NO_ONE)[:access.ACTOR_MAX], role=role,
                           operation=Operation.REFUSAL, object_type="session",
                           detail={"action": command, "domain": None,
                                   "refusal": type(refusal).__name__, "message": str(refusal)})


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _role_of(session: Session, username: str) -> str:
    role = session.execute(select(User.role).where(User.username == username)).scalar_one_or_none()
    return role or "unknown"


def _log(session: Session, username: str, role: str, event: str, **detail) -> None:
    audit.append_entry(session, actor=username, role=role, operation=Operation.AUTHENTICATION,
                       object_type="session", detail={"event": event, **detail})
