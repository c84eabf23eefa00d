"""Cases and their decisions: the records that firearms, Clare's Law, LFR and intelligence
workflows keep here.

Every function takes the acting user's name and checks their role; every read or disclosure
of personal data also takes a purpose. The audit entry is written in the same transaction as
the change, so there is no way to read or change a case without leaving a trace, and a
refusal writes nothing. Callers get frozen views, never live rows, so a view cannot be
changed behind the audit log's back.

    with transaction() as s:
        case_id = open_case(s, "j.khan", domain="firearms", kind="renewal",
                            details={...}, purpose="renewal application received", subject_ref="P123")
    with transaction() as s:
        case = read_case(s, "j.khan", case_id, purpose="checking renewal references")
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peel.casebook import access
from peel.casebook.access import PURPOSE, REASON, Request
from peel.casebook.audit import Operation
from peel.casebook.errors import InvalidInput, InvalidStateChange
from peel.casebook.models import CLOSED, OPEN, Case, Decision, User, as_utc, now_utc
from peel.casebook.retention import default_review_date
from peel.casebook.roles import Action, check_domain

# Decisions that need a second person: whoever opened the case may not make them.
FOUR_EYES_DECISIONS = frozenset({"approval", "authorisation"})


@dataclass(frozen=True)
class DecisionView:
    id: int
    kind: str
    outcome: str
    reason: str
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True)
class CaseView:
    id: int
    domain: str
    kind: str
    status: str
    subject_ref: str | None
    details: Mapping
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    review_date: date
    decisions: tuple[DecisionView, ...]


def open_case(
    session: Session,
    username: str,
    *,
    domain: str,
    kind: str,
    details: dict,
    purpose: str,
    subject_ref: str | None = None,
    review_date: date | None = None,
) -> int:
    """Open a case holding ``details`` (personal data) for ``purpose``; return its id."""
    actor = access.authorise(session, username, Request(
        Action.OPEN_CASE, "case", domain=check_domain(domain), subject_ref=subject_ref,
        purpose=purpose, must_state=PURPOSE))
    _check_text("kind", kind)
    _check_details(details)
    opened_at = now_utc()
    case = Case(
        domain=domain, kind=kind, subject_ref=subject_ref, status=OPEN, details=copy.deepcopy(details),
        opened_by_id=actor.id, opened_at=opened_at,
        review_date=review_date or default_review_date(domain, opened_at.date()),
    )
    session.add(case)
    session.flush()
    access.record(session, actor, Operation.COLLECTION, "case", case.id, subject_ref=subject_ref,
                  purpose=purpose, detail={"domain": domain, "kind": kind, "fields": sorted(details)})
    return case.id


def read_case(session: Session, username: str, case_id: int, *, purpose: str) -> CaseView:
    """Return a case with its personal data and decisions, logging the consultation."""
    actor, case = access.authorise_on(session, username, Case, Request(
        Action.READ_PERSONAL, "case", case_id, purpose=purpose, must_state=PURPOSE))
    access.record(session, actor, Operation.CONSULTATION, "case", case.id,
                  subject_ref=case.subject_ref, purpose=purpose, detail={"domain": case.domain})
    return _view(session, case)


def update_case(session: Session, username: str, case_id: int, *, changes: dict, purpose: str) -> None:
    """Change fields of an open case's details; the log keeps which fields, not their values."""
    actor, case = access.authorise_on(session, username, Case, Request(
        Action.UPDATE_CASE, "case", case_id, purpose=purpose, must_state=PURPOSE))
    _check_open(case)
    _check_details(changes)
    if not changes:
        raise InvalidInput("No changes given.")
    case.details = {**case.details, **copy.deepcopy(changes)}
    access.record(session, actor, Operation.ALTERATION, "case", case.id, subject_ref=case.subject_ref,
                  purpose=purpose, detail={"fields": sorted(changes)})


def record_decision(
    session: Session, username: str, case_id: int, *, kind: str, outcome: str, reason: str
) -> int:
    """Record a decision on an open case, with its reason; return the decision id."""
    actor, case = access.authorise_on(session, username, Case, Request(
        Action.DECIDE_CASE, "case", case_id, purpose=reason, must_state=REASON))
    _check_open(case)
    _check_text("kind", kind)
    _check_text("outcome", outcome)
    if kind in FOUR_EYES_DECISIONS and case.opened_by_id == actor.id:
        raise InvalidStateChange(
            f"You opened case {case.id}, so its {kind} must be made by someone else (four eyes)."
        )
    decision = Decision(case_id=case.id, kind=kind, outcome=outcome, reason=reason.strip(),
                        decided_by_id=actor.id, decided_at=now_utc())
    session.add(decision)
    session.flush()
    access.record(session, actor, Operation.ALTERATION, "case", case.id, subject_ref=case.subject_ref,
                  detail={"decision_id": decision.id, "kind": kind, "outcome": outcome})
    return decision.id


def record_disclosure(
    session: Session, username: str, case_id: int, *, recipient: str, purpose: str
) -> None:
    """Log that a case's information was disclosed, to whom (a role or body) and why."""
    actor, case = access.authorise_on(session, username, Case, Request(
        Action.DISCLOSE, "case", case_id, purpose=purpose, must_state=PURPOSE))
    _check_open(case)
    _check_text("recipient", recipient)
    access.record(session, actor, Operation.DISCLOSURE, "case", case.id, subject_ref=case.subject_ref,
                  purpose=purpose, detail={"recipient": recipient.strip()})


def close_case(session: Session, username: str, case_id: int, *, reason: str) -> None:
    """Close an open case, with the reason (logged); after this it takes no changes, decisions or disclosures."""
    actor, case = access.authorise_on(session, username, Case, Request(
        Action.UPDATE_CASE, "case", case_id, purpose=reason, must_state=REASON))
    _check_open(case)
    case.status, case.closed_at = CLOSED, now_utc()
    access.record(session, actor, Operation.ALTERATION, "case", case.id, subject_ref=case.subject_ref,
                  purpose=reason, detail={"change": "closed"})


def count_cases(session: Session, username: str) -> dict[tuple[str, str, str], int]:
    """Case counts by (domain, kind, status): aggregates, no personal data, so not logged."""
    access.authorise(session, username, Request(Action.READ_AGGREGATES, "case"))
    rows = session.execute(
        select(Case.domain, Case.kind, Case.status, func.count()).group_by(Case.domain, Case.kind, Case.status)
    )
    return {(d, k, s): n for d, k, s, n in rows}


def _check_open(case: Case) -> None:
    if case.status != OPEN:
        raise InvalidStateChange(f"Case {case.id} is {case.status}; a closed case cannot be changed.")


def _check_text(name: str, value: str | None) -> None:
    if not value or not value.strip():
        raise InvalidInput(f"A {name} is required.")


def _check_details(details: dict) -> None:
    if not isinstance(details, dict):
        raise InvalidInput("Case details must be a mapping of field names to values.")
    try:
        json.dumps(details)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"Case details must be JSON values (text, numbers, lists...): {error}") from None


def _view(session: Session, case: Case) -> CaseView:
    ids = {case.opened_by_id} | {d.decided_by_id for d in case.decisions}
    names = dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
    return CaseView(
        id=case.id, domain=case.domain, kind=case.kind, status=case.status, subject_ref=case.subject_ref,
        details=MappingProxyType(copy.deepcopy(case.details)), opened_by=names[case.opened_by_id],
        opened_at=as_utc(case.opened_at), closed_at=case.closed_at and as_utc(case.closed_at),
        review_date=case.review_date,
        decisions=tuple(
            DecisionView(d.id, d.kind, d.outcome, d.reason, names[d.decided_by_id], as_utc(d.decided_at))
            for d in case.decisions
        ),
    )
