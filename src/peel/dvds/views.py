"""What the CLI, the web pages and the JSON API show of Clare's Law cases: each read checked
(public-protection roles only) and logged with its purpose here, where the data is read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from peel.casebook import access, cases
from peel.casebook.errors import InvalidInput
from peel.casebook.models import Case
from peel.dvds.cases import DOMAIN, KIND, ROUTES, STAGES, timeliness


def _timeliness_text(details: dict) -> str:
    t = timeliness(details)
    if t.met is None:
        return f"due by {t.deadline:%d %B %Y} ({t.days} UK days so far)"
    text = f"{'met' if t.met else 'missed'}: {t.days} UK days (due by {t.deadline:%d %B %Y})"
    return text + (f"; reason: {t.breach_reason}" if t.breach_reason else "")


def case_view(session: Session, username: str, case_id: int, *, purpose: str) -> dict:
    """One case, its stages and timeliness; the consultation is logged by the casebook. A role
    that may not read Clare's Law cases is refused before the case is looked up, so the refusal
    says nothing of whether it exists."""
    access.authorise(session, username, access.Request(access.Action.READ_PERSONAL, "case", case_id, domain=DOMAIN,
                                                       purpose=purpose, must_state=access.PURPOSE))
    case = cases.read_case(session, username, case_id, purpose=purpose)
    if case.domain != DOMAIN:
        raise InvalidInput(f"Case {case_id} is not a Clare's Law case.")
    details = case.details
    return {"id": case.id, "route": ROUTES[details["route"]], "origin": details["origin"], "status": case.status,
            "subject": case.subject_ref, "first_contact": details["first_contact"],
            "stages": [(STAGES[s], day) for s, day in details["stages"].items()],
            "decision": details.get("decision"), "reopens": details.get("reopens"),
            "timeliness": _timeliness_text(dict(details)),
            "decisions": [{"kind": d.kind, "outcome": d.outcome, "by": d.decided_by} for d in case.decisions]}


def list_cases(session: Session, username: str, *, purpose: str) -> list[dict]:
    """Every Clare's Law case, newest first, with its last stage and timeliness; the listing is
    logged as one consultation per case shown (one without a case when there is none)."""
    access.authorise(session, username, access.Request(access.Action.READ_PERSONAL, "case", domain=DOMAIN,
                                                       purpose=purpose, must_state=access.PURPOSE))
    rows = session.execute(select(Case).where(Case.domain == DOMAIN, Case.kind == KIND)
                           .order_by(Case.id.desc())).scalars().all()
    shown = []
    if not rows:
        access.consult(session, username, domain=DOMAIN, object_type="case", object_id=None, purpose=purpose)
    for case in rows:
        access.consult(session, username, domain=DOMAIN, object_type="case", object_id=case.id, purpose=purpose,
                       subject_ref=case.subject_ref)
        details = dict(case.details)
        done = list(details["stages"])
        shown.append({"id": case.id, "route": ROUTES[details["route"]], "status": case.status,
                      "subject": case.subject_ref, "first_contact": details["first_contact"],
                      "last_stage": STAGES[done[-1]] if done else "none yet",
                      "timeliness": _timeliness_text(details)})
    return shown
