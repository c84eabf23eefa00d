"""The one place that decides whether a user may do something, and records why they did it.

Every function that touches personal data describes what it was asked as a ``Request`` and
calls ``authorise`` first (``authorise_on`` for a request about a case or review item, whose
domain is the record's), which refuses unknown or disabled users, actions their role does
not grant, and a purpose (or, for decisions, a reason) missing or too short to mean
anything. The function then writes its audit entry with ``record`` in the same transaction
as the change. Checks come before any write, so a refusal leaves nothing behind but its own
audit entry: ``refuse`` has that (who, what was asked, the purpose stated, why it was
refused) written in a transaction of its own once the refused one has been rolled back, so
the log keeps every attempt.

Reads of personal data held outside the casebook (warehouse person records, linked entities,
intelligence packs) go through ``consult``, ``consultation`` and ``combine`` here, so they are
checked and logged the same way; so do loads and linkage runs (``processing``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from peel.casebook import audit, db
from peel.casebook.audit import AuditFilter, Operation, Verification
from peel.casebook.errors import AccessRefused, CasebookError, PurposeRequired, UnknownUser
from peel.casebook.models import AuditEntry, Row, User, get_or_refuse
from peel.casebook.roles import Action, Domain, Role, get_role

# A purpose is a sentence someone could later be asked to justify, not "check" or "x".
MIN_PURPOSE_LENGTH = 10
# What a request must state: the purpose of a read, or the reason for a decision.
PURPOSE, REASON = "purpose", "reason"
STATEMENT_RULES = {
    PURPOSE: ("Personal data is used only for a stated purpose", "--purpose"),
    REASON: ("Every decision is recorded with its reason", "--reason"),
}
# The actor and role a refusal is logged with when no user was named, or none exists.
NO_ONE = "(none)"
ACTOR_MAX = AuditEntry.__table__.c.actor.type.length


@dataclass(frozen=True)
class Actor:
    """A user who has been checked to exist and be active, with their role."""

    id: int
    username: str
    role: Role


@dataclass(frozen=True)
class Request:
    """What someone asks to do, as ``authorise`` checks it and a refusal is logged."""

    action: Action
    object_type: str
    object_id: object = None
    domain: str | None = None
    subject_ref: str | None = None
    purpose: str | None = None  # as stated: the purpose of a read, or a decision's reason
    must_state: str | None = None  # PURPOSE, REASON, or None when nothing need be said

    def on(self, domain: str, subject_ref: str | None = None) -> Request:
        """The same request, about a record now known to be in ``domain``."""
        return replace(self, domain=domain, subject_ref=subject_ref)


def authorise(session: Session, username: str | None, request: Request) -> Actor:
    """Return the acting user if they may make ``request``; refuse (and log the refusal) otherwise."""
    return permit(session, identify(session, username, request), request)


def authorise_on(session: Session, username: str | None, model: type[Row],
                 request: Request) -> tuple[Actor, Row]:
    """The acting user and the ``model`` row (a case, a review item) numbered
    ``request.object_id``, once the user may make ``request`` in the row's domain; refuse (and
    log) otherwise. The user is identified before the row is looked up, so only users learn
    which numbers exist."""
    actor = identify(session, username, request)
    row = get_or_refuse(session, model, request.object_id, request.object_type.replace("_", " "))
    permit(session, actor, request.on(row.domain, row.subject_ref))
    return actor, row


def identify(session: Session, username: str | None, request: Request) -> Actor:
    """Return the active user called ``username``; refuse (and log) anyone else."""
    if not username:
        raise refuse(session, request, UnknownUser("No acting user: sign in with `peel login USERNAME`."),
                     username)
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise refuse(session, request, UnknownUser(
            f"There is no casebook user {username!r}. An administrator can add one with "
            f"`peel users add {username} --role ROLE`."), username)
    if not user.active:
        raise refuse(session, request, UnknownUser(
            f"The user {username!r} is disabled; ask an administrator."), username, user.role)
    return Actor(id=user.id, username=user.username, role=get_role(user.role))


def permit(session: Session, actor: Actor, request: Request) -> Actor:
    """Return ``actor`` if their role grants the request's action in its domain and the request
    states what it must; refuse (and log) otherwise."""
    action, domain = request.action, request.domain
    if not actor.role.allows(action, domain):
        where = f" in the {domain} domain" if domain else ""
        raise refuse(session, request, AccessRefused(
            f"{actor.username} ({actor.role.title}) may not {action.value.replace('_', ' ')}{where}. "
            "If the job needs it, an administrator can change the role."), actor.username, actor.role.name)
    if request.must_state and len((request.purpose or "").strip()) < MIN_PURPOSE_LENGTH:
        rule, option = STATEMENT_RULES[request.must_state]
        raise refuse(session, request, PurposeRequired(
            f"{rule}: say why in at least {MIN_PURPOSE_LENGTH} characters "
            f"(e.g. {option} \"renewal review for application 4512\")."), actor.username, actor.role.name)
    return actor


def refuse(session: Session, request: Request, error: CasebookError, username: str | None,
           role: str | None = None) -> CasebookError:
    """Return ``error`` for the caller to raise, having arranged for the refusal to be logged:
    who asked (as named), for what, with which purpose, and why not. The entry is written once
    the refused transaction has ended, in one of its own, as that one is rolled back."""
    entry = {
        "actor": (username or NO_ONE)[:ACTOR_MAX], "role": role or NO_ONE,
        "operation": Operation.REFUSAL, "object_type": request.object_type,
        "object_id": request.object_id, "subject_ref": request.subject_ref,
        "purpose": _stated(request.purpose),
        "detail": {"action": str(request.action), "domain": request.domain,
                   "refusal": type(error).__name__, "message": str(error)},
    }
    db.afterwards(session, lambda later: audit.append_entry(later, **entry))
    return error


def record(
    session: Session,
    actor: Actor,
    operation: Operation,
    object_type: str,
    object_id: object = None,
    *,
    subject_ref: str | None = None,
    purpose: str | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Write the audit entry for what ``actor`` just did, in the current transaction."""
    return audit.append_entry(
        session,
        actor=actor.username,
        role=actor.role.name,
        operation=operation,
        object_type=object_type,
        object_id=object_id,
        subject_ref=subject_ref,
        purpose=_stated(purpose),
        detail=detail,
    )


def _stated(text: str | None) -> str | None:
    """A purpose or reason as kept: without surrounding blanks."""
    return (text or "").strip() or None


def consult(
    session: Session,
    username: str | None,
    *,
    domain: str,
    object_type: str,
    object_id: object,
    purpose: str | None,
    subject_ref: str | None = None,
) -> Actor:
    """Authorise and log a read of personal data kept outside the casebook (e.g. the warehouse).

    Call it, in a casebook transaction, before showing the data; show nothing if it raises.
    """
    actor = authorise(session, username, Request(
        Action.READ_PERSONAL, object_type, object_id, domain, subject_ref, purpose, PURPOSE))
    record(session, actor, Operation.CONSULTATION, object_type, object_id,
           subject_ref=subject_ref, purpose=purpose, detail={"domain": domain})
    return actor


@contextmanager
def consultation(username: str | None, *, domain: str, object_type: str,
                 purpose: str | None) -> Iterator[list[str]]:
    """Check, then log, a read of personal data kept outside the casebook that takes a while
    (scoring, matching), each step in a casebook transaction of its own::

        with consultation(user, domain="linkage", object_type="person_record", purpose=why) as shown:
            result = the_slow_read()
            shown.extend(reference of each record in result)

    The user and purpose are checked before the block runs (a refusal is logged and the block
    does not run). When the block ends without error, each subject reference it added is
    logged as a consultation (one with no subject when it added none: the search is logged
    even when it found nothing). Show the result only after that.
    """
    with db.transaction() as session:
        authorise(session, username, Request(Action.READ_PERSONAL, object_type, domain=domain,
                                             purpose=purpose, must_state=PURPOSE))
    shown: list[str] = []
    yield shown
    with db.transaction() as session:
        for subject_ref in dict.fromkeys(shown) or [None]:
            consult(session, username, domain=domain, object_type=object_type, object_id=None,
                    purpose=purpose, subject_ref=subject_ref)


@contextmanager
def processing(username: str | None, request: Request, operation: Operation) -> Iterator[dict]:
    """Check, then log, processing of personal data outside the casebook that takes a while
    (collecting person records from an extract, a linkage run), each step in a casebook
    transaction of its own::

        with processing(user, Request(Action.COLLECT, "person_record", domain="linkage",
                                      purpose=why, must_state=PURPOSE), Operation.COLLECTION) as touched:
            result = the_load()
            touched.update(batch_id=..., rows_loaded=...)   # the records touched, by reference

    The user and purpose are checked before the block runs (a refusal is logged and the block
    does not run); when it ends without error, the operation is logged with what it added to
    ``touched``. A block that fails changed nothing (loads and runs are all or nothing), so it
    is not logged as done."""
    with db.transaction() as session:
        authorise(session, username, request)
    touched: dict = {}
    yield touched
    with db.transaction() as session:
        actor = authorise(session, username, request)
        record(session, actor, operation, request.object_type, purpose=request.purpose,
               detail={"domain": request.domain, **touched})


def combine(
    session: Session,
    username: str | None,
    *,
    domain: str,
    subject_refs: list[str],
    purpose: str | None,
    detail: dict | None = None,
) -> Actor:
    """Authorise and log the combination of records about several subjects (e.g. a linkage merge)."""
    actor = authorise(session, username, Request(
        Action.COMBINE, "subjects", domain=domain, subject_ref=subject_refs[0] if subject_refs else None,
        purpose=purpose, must_state=PURPOSE))
    if len(subject_refs) < 2:
        raise ValueError("combining needs at least two subject references")
    record(session, actor, Operation.COMBINATION, "subjects", None, subject_ref=subject_refs[0],
           purpose=purpose, detail={"domain": domain, "subject_refs": list(subject_refs), **(detail or {})})
    return actor


def read_audit_log(session: Session, username: str | None, where: AuditFilter) -> list[AuditEntry]:
    """Return audit entries matching ``where`` for an auditor; the reading is itself logged."""
    actor = authorise(session, username, Request(Action.READ_AUDIT, "audit_log"))
    entries = audit.select_entries(session, where)
    record(session, actor, Operation.CONSULTATION, "audit_log", detail={
        "actor": where.actor, "subject_ref": where.subject_ref, "operation": where.operation,
        "before_seq": where.before_seq,
        "since": where.since.isoformat() if where.since else None,
        "until": where.until.isoformat() if where.until else None,
        "entries_shown": len(entries),
    })
    return entries


def verify_audit_log(
    session: Session, username: str | None, on_progress=None, anchors: dict[int, str] | None = None
) -> Verification:
    """Check the audit chain end to end (and against earlier recorded hashes), for an auditor."""
    authorise(session, username, Request(Action.READ_AUDIT, "audit_log"))
    return audit.verify_chain(session, on_progress, anchors)


def domains_allowed(actor: Actor, *actions: Action) -> list[str]:
    """The domains in which the actor's role grants any of ``actions`` (to filter listings)."""
    return [str(d) for d in Domain if any(actor.role.allows(a, d) for a in actions)]
