"""Retention: every case carries a review date; when it passes, someone decides.

An open case past its review date is due for review (keep it, with a new date and a reason,
or erase it); a closed case past its review date is due for deletion. Erasure removes the
case, its decisions and the personal data of review items about it, and logs the erasure
(who, when, why, which case) without keeping any of the erased content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peel.casebook import access
from peel.casebook.access import REASON, Request
from peel.casebook.audit import Operation
from peel.casebook.errors import InvalidInput, InvalidStateChange
from peel.casebook.models import OPEN, Case, ReviewItem
from peel.casebook.roles import Action, Domain

# Years from opening to first review, per domain. A starting point only: set each to the
# force's own retention schedule (APP Information Management / MoPI review periods).
REVIEW_AFTER_YEARS: dict[str, int] = {
    Domain.FIREARMS: 6,
    Domain.DVDS: 6,
    Domain.LFR: 6,
    Domain.INTELLIGENCE: 6,
    Domain.LINKAGE: 6,
    Domain.PACK: 6,
}


@dataclass(frozen=True)
class RetentionDue:
    case_id: int
    domain: str
    kind: str
    status: str
    review_date: date
    due_for: str  # "review" (still open) or "deletion" (closed)


def default_review_date(domain: str, opened: date) -> date:
    """The first review date of a case opened on ``opened`` in ``domain``."""
    years = REVIEW_AFTER_YEARS[domain]
    try:
        return opened.replace(year=opened.year + years)
    except ValueError:  # 29 February in a year that has none
        return opened.replace(year=opened.year + years, day=28)


def list_due(session: Session, username: str, *, today: date | None = None) -> list[RetentionDue]:
    """Cases whose review date has come, in the domains the user reviews (ids and kinds only)."""
    actor = access.authorise(session, username, Request(Action.REVIEW_RETENTION, "case"))
    today = today or date.today()
    cases = session.execute(
        select(Case.id, Case.domain, Case.kind, Case.status, Case.review_date)
        .where(Case.review_date <= today, Case.domain.in_(access.domains_allowed(actor, Action.REVIEW_RETENTION)))
        .order_by(Case.review_date, Case.id)
    )
    return [
        RetentionDue(c.id, c.domain, c.kind, c.status, c.review_date,
                     "review" if c.status == OPEN else "deletion")
        for c in cases
    ]


def keep(session: Session, username: str, case_id: int, *, until: date, reason: str,
         today: date | None = None) -> None:
    """Keep a case until a later review date, with the reason it is still needed."""
    actor, case = access.authorise_on(session, username, Case, Request(
        Action.REVIEW_RETENTION, "case", case_id, purpose=reason, must_state=REASON))
    today = today or date.today()
    if until <= today:
        raise InvalidInput(f"The new review date must be after today ({today}); got {until}.")
    previous, case.review_date = case.review_date, until
    access.record(session, actor, Operation.ALTERATION, "case", case.id, subject_ref=case.subject_ref,
                  purpose=reason, detail={"change": "retention extended",
                                          "from": previous.isoformat(), "to": until.isoformat()})


def erase(session: Session, username: str, case_id: int, *, reason: str, today: date | None = None) -> None:
    """Erase a case that is due, with its decisions; the log keeps that it was erased, not what."""
    actor, case = access.authorise_on(session, username, Case, Request(
        Action.ERASE, "case", case_id, purpose=reason, must_state=REASON))
    today = today or date.today()
    if case.review_date > today:
        raise InvalidStateChange(
            f"Case {case.id} is not due for review until {case.review_date}; bring its review date "
            "forward with `peel retention keep` only if policy allows, or wait."
        )
    detail = {"domain": case.domain, "kind": case.kind, "status": case.status,
              "review_date": case.review_date.isoformat(), "decisions_erased": len(case.decisions)}
    subject_ref = case.subject_ref
    session.execute(
        update(ReviewItem).where(ReviewItem.case_id == case.id).values(payload=None, case_id=None)
    )
    session.delete(case)
    session.flush()
    access.record(session, actor, Operation.ERASURE, "case", case_id, subject_ref=subject_ref,
                  purpose=reason, detail=detail)
