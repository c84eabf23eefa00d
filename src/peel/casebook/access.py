"""The one place that decides whether a user may do something, and records why they did it.

Every function that touches personal data calls ``authorise`` first (which refuses unknown
or disabled users and actions their role does not grant), then ``require_purpose`` for reads
and disclosures (``require_reason`` for decisions), and writes its audit entry with ``record`` in the same transaction as the
change. Checks come before any write, so a refusal leaves nothing behind.

Reads of personal data held outside the casebook (warehouse person records, linked entities,
intelligence packs) go through ``consult`` and ``combine`` here, so they are logged the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from peel.casebook import audit
from peel.casebook.audit import AuditFilter, Operation, Verification
from peel.casebook.errors import AccessRefused, PurposeRequired, UnknownUser
from peel.casebook.models import AuditEntry, User
from peel.casebook.roles import Action, Domain, Role, get_role

# A purpose is a sentence someone could later be asked to justify, not "check" or "x".
MIN_PURPOSE_LENGTH = 10


@dataclass(frozen=True)
class Actor:
    """A user who has been checked to exist and be active, with their role."""

    id: int
    username: str
    role: Role


def resolve_actor(session: Session, username: str | None) -> Actor:
    """Return the active user called ``username``, or refuse."""
    if not username:
        raise UnknownUser("No acting user: pass --as USERNAME or set PEEL_USER.")
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise UnknownUser(
            f"There is no casebook user {username!r}. An administrator can add one with "
            f"`peel users add {username} --role ROLE`."
        )
    if not user.active:
        raise UnknownUser(f"The user {username!r} is disabled; ask an administrator.")
    return Actor(id=user.id, username=user.username, role=get_role(user.role))


def authorise(session: Session, username: str | None, action: Action, domain: str | None = None) -> Actor:
    """Return the acting user if their role grants ``action`` in ``domain``; refuse otherwise."""
    return require(resolve_actor(session, username), action, domain)


def require(actor: Actor, action: Action, domain: str | None = None) -> Actor:
    """Return ``actor`` if their role grants ``action`` in ``domain``; refuse otherwise."""
    if not actor.role.allows(action, domain):
        where = f" in the {domain} domain" if domain else ""
        raise AccessRefused(
            f"{actor.username} ({actor.role.title}) may not {action.value.replace('_', ' ')}{where}. "
            "If the job needs it, an administrator can change the role."
        )
    return actor


def require_purpose(
    purpose: str | None,
    *,
    rule: str = "Personal data is used only for a stated purpose",
    option: str = "--purpose",
) -> str:
    """Return the stated purpose (or reason), or refuse when it is missing or too short to mean anything."""
    purpose = (purpose or "").strip()
    if len(purpose) < MIN_PURPOSE_LENGTH:
        raise PurposeRequired(
            f"{rule}: say why in at least {MIN_PURPOSE_LENGTH} characters "
            f"(e.g. {option} \"renewal review for application 4512\")."
        )
    return purpose


def require_reason(reason: str | None) -> str:
    """Return the reason for a decision (closing, deciding, keeping, erasing), or refuse when it
    is missing or too short to mean anything: the same rule as a purpose."""
    return require_purpose(reason, rule="Every decision is recorded with its reason", option="--reason")


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
        purpose=purpose,
        detail=detail,
    )


def consult(
    session: Session,
    username: str,
    *,
    domain: str,
    object_type: str,
    object_id: object,
    purpose: str,
    subject_ref: str | None = None,
) -> Actor:
    """Authorise and log a read of personal data kept outside the casebook (e.g. the warehouse).

    Call it, in a casebook transaction, before showing the data; show nothing if it raises.
    """
    actor = authorise(session, username, Action.READ_PERSONAL, domain)
    purpose = require_purpose(purpose)
    record(session, actor, Operation.CONSULTATION, object_type, object_id,
           subject_ref=subject_ref, purpose=purpose, detail={"domain": domain})
    return actor


def combine(
    session: Session,
    username: str,
    *,
    domain: str,
    subject_refs: list[str],
    purpose: str,
    detail: dict | None = None,
) -> Actor:
    """Authorise and log the combination of records about several subjects (e.g. a linkage merge)."""
    actor = authorise(session, username, Action.COMBINE, domain)
    purpose = require_purpose(purpose)
    if len(subject_refs) < 2:
        raise ValueError("combining needs at least two subject references")
    record(session, actor, Operation.COMBINATION, "subjects", None, subject_ref=subject_refs[0],
           purpose=purpose, detail={"domain": domain, "subject_refs": list(subject_refs), **(detail or {})})
    return actor


def read_audit_log(session: Session, username: str, where: AuditFilter) -> list[AuditEntry]:
    """Return audit entries matching ``where`` for an auditor; the reading is itself logged."""
    actor = authorise(session, username, Action.READ_AUDIT)
    entries = audit.select_entries(session, where)
    record(session, actor, Operation.CONSULTATION, "audit_log", detail={
        "actor": where.actor, "subject_ref": where.subject_ref,
        "since": where.since.isoformat() if where.since else None,
        "until": where.until.isoformat() if where.until else None,
        "entries_shown": len(entries),
    })
    return entries


def verify_audit_log(
    session: Session, username: str, on_progress=None, anchors: dict[int, str] | None = None
) -> Verification:
    """Check the audit chain end to end (and against earlier recorded hashes), for an auditor."""
    authorise(session, username, Action.READ_AUDIT)
    return audit.verify_chain(session, on_progress, anchors)


def domains_allowed(actor: Actor, *actions: Action) -> list[str]:
    """The domains in which the actor's role grants any of ``actions`` (to filter listings)."""
    return [str(d) for d in Domain if any(actor.role.allows(a, d) for a in actions)]
