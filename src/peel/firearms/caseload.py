"""What licensing staff see of the renewals worked as cases: the caseload (oldest certificate
expiry first, by year of expiry and stage), one case with its stages, its cover (s28B
extension, s7 permit) and its decisions, and opening a case for a renewal on the register.

Each function checks the user's role in the firearms domain before it reads anything (so a
refusal says nothing of whether a case exists) and the casebook logs each case shown with the
purpose given.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from peel.casebook import access
from peel.casebook.access import PURPOSE, Request
from peel.casebook.errors import InvalidInput, NotFound
from peel.casebook.models import Case
from peel.casebook.roles import Action, Domain
from peel.firearms.cases import KIND, open_renewal, read_renewal
from peel.firearms.rules import (
    DECISIONS,
    STAGE_NAMES,
    STAGES,
    cover_on,
    extension_end,
    made_in_time,
)
from peel.warehouse import open_snapshot


def _authorise(session: Session, username: str | None, action: Action, purpose: str | None,
               case_id: int | None = None) -> None:
    access.authorise(session, username, Request(action, "case", case_id, domain=Domain.FIREARMS, purpose=purpose,
                                                must_state=PURPOSE))


def _stage_now(details: dict) -> str:
    return details["stages"][-1]["stage"] if details.get("stages") else "received"


def list_renewals(session: Session, username: str | None, *, purpose: str | None, year: int | None = None,
                  stage: str | None = None) -> list[dict]:
    """The open renewal cases, the certificate expiring soonest (or longest ago) first, for one
    year of expiry and one stage reached if asked; each case listed is logged."""
    _authorise(session, username, Action.READ_PERSONAL, purpose)
    if stage is not None and stage not in STAGES:
        raise InvalidInput(f"Unknown stage {stage!r}: expected one of {', '.join(STAGES)}.")
    open_cases = session.execute(select(Case).where(Case.domain == Domain.FIREARMS.value, Case.kind == KIND,
                                                    Case.status == "open")).scalars().all()
    rows = []
    for case in open_cases:
        details = dict(case.details)
        if not {"expiry", "stages"} <= set(details):
            continue  # a renewal opened without its certificate (not by peel.firearms.cases)
        expiry = date.fromisoformat(details["expiry"])
        if (year is None or expiry.year == year) and (stage is None or _stage_now(details) == stage):
            rows.append({"id": case.id, "application_ref": details.get("application_ref"),
                         "holder_ref": case.subject_ref, "expiry": expiry, "stage": _stage_now(details),
                         "received": date.fromisoformat(details["stages"][0]["on"])})
    rows.sort(key=lambda r: (r["expiry"], r["id"]))
    for r in rows or [{"id": None, "holder_ref": None}]:
        access.consult(session, username, domain=Domain.FIREARMS, object_type="case", object_id=r["id"],
                       purpose=purpose, subject_ref=r["holder_ref"])
    return rows


def renewal_view(session: Session, username: str | None, case_id: int, *, purpose: str | None,
                 on: date) -> dict:
    """One renewal case: its stages (who, when), the next stage, the cover on ``on`` with the
    s28B extension and any s7 permit, and its decisions with their reasons (logged)."""
    _authorise(session, username, Action.READ_PERSONAL, purpose, case_id)
    case = read_renewal(session, username, case_id, purpose=purpose)
    details = case.details
    stages = [{"stage": s["stage"], "name": STAGE_NAMES[s["stage"]], "on": date.fromisoformat(s["on"]), "by": s["by"]}
              for s in details["stages"]]
    done = {s["stage"]: s["on"] for s in stages}
    expiry, received, decided = date.fromisoformat(details["expiry"]), done["received"], done.get("decision")
    permit = details.get("permit")
    permit = (date.fromisoformat(permit[0]), date.fromisoformat(permit[1])) if permit else None
    cover = cover_on(on, expiry, received, decided, permit)
    following = [s for s in STAGES if s not in done]
    return {
        "id": case.id, "status": case.status, "application_ref": details.get("application_ref"),
        "holder_ref": case.subject_ref, "certificate_kind": details.get("certificate_kind"), "expiry": expiry,
        "stages": stages, "next_stage": following[0] if following else None,
        "made_in_time": made_in_time(received, expiry), "extension_until": extension_end(received, expiry, decided),
        "permit": {"issued": permit[0], "last_day": permit[1]} if permit else None,
        "cover": {"on": on, "kind": cover.kind, "until": cover.until, "warn": cover.warn, "lapsed": cover.lapsed},
        "decisions": [{"kind": d.kind, "outcome": d.outcome, "reason": d.reason, "by": d.decided_by,
                       "at": d.decided_at} for d in case.decisions],
        "decision_choices": DECISIONS,
    }


def open_from_register(session: Session, warehouse: Path, username: str | None, application_ref: str, *,
                       purpose: str | None) -> int:
    """Open a case for an outstanding renewal on the register (the published ``warehouse``),
    with its holder, the expiry it renews and the day it was received; refused for a decided
    application or one already a case. The role is checked before the register is opened."""
    _authorise(session, username, Action.OPEN_CASE, purpose)
    try:
        with open_snapshot(warehouse) as con:
            row = con.execute("SELECT holder_ref, due_date, received_date, certificate_kind, decided_date, "
                              "permit_issued, permit_expires "
                              "FROM firearms_application WHERE application_ref = ? AND kind = 'renewal'",
                              [application_ref]).fetchone()
    except FileNotFoundError:
        row = None
    if row is None:
        raise NotFound(f"No renewal application {application_ref} on the register.")
    holder_ref, due, received, certificate_kind, decided, permit_issued, permit_expires = row
    if decided is not None:
        raise InvalidInput(f"Renewal {application_ref} was decided on {decided}: there is nothing to work.")
    known = session.execute(select(Case.id, Case.details).where(Case.domain == Domain.FIREARMS.value,
                                                                Case.kind == KIND)).all()
    for case_id, details in known:
        if (details or {}).get("application_ref") == application_ref:
            raise InvalidInput(f"Renewal {application_ref} is already case {case_id}.")
    return open_renewal(session, username, application_ref=application_ref, holder_ref=holder_ref, expiry=due,
                        received=received, certificate_kind=certificate_kind, purpose=purpose,
                        permit=(permit_issued, permit_expires) if permit_issued else None)
