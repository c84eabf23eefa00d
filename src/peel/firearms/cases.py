"""The renewals queue worked as casebook cases: a case per application, its stages recorded
in order with their dates and who worked them, its cover (certificate, s28B extension, s7
permit) worked out from the rules, and the decision (grant, refuse, revoke) with its reason
and who made it. Every read and change goes through ``peel.casebook.cases``, which checks
the user's role and writes the audit entry; a change is checked against the user's role in
the firearms domain first, before the case is looked up.
"""

from __future__ import annotations

from datetime import date, timedelta

from peel.casebook import access, cases
from peel.casebook.access import PURPOSE, REASON, Request
from peel.casebook.errors import InvalidInput
from peel.casebook.roles import Action, Domain
from peel.firearms.rules import (
    DECISIONS,
    PERMIT_DEFAULT,
    check_stage_order,
    cover_on,
    permit_expiry,
)

KIND = "renewal"
PERMIT_WEEKS = PERMIT_DEFAULT.days // 7  # s7: the weeks a permit runs unless stated
PERMIT_MOST_WEEKS = 52  # a permit bridges a gap in cover; a year or more is a certificate's work


def open_renewal(session, username: str, *, application_ref: str, holder_ref: str, expiry: date,
                 received: date, certificate_kind: str, purpose: str,
                 permit: tuple[date, date] | None = None) -> int:
    """Open a case for a renewal application received on ``received`` for a certificate
    expiring on ``expiry``; the received stage is recorded with it, and an s7 permit the
    register already shows (first and last day)."""
    if received > date.today():
        raise InvalidInput(f"The application cannot be received in the future ({received}).")
    details = {"application_ref": application_ref, "expiry": expiry.isoformat(),
               "certificate_kind": certificate_kind,
               "stages": [{"stage": "received", "on": received.isoformat(), "by": username}]}
    if permit is not None:
        details["permit"] = [permit[0].isoformat(), permit[1].isoformat()]
    return cases.open_case(session, username, domain=Domain.FIREARMS, kind=KIND, details=details,
                           purpose=purpose, subject_ref=holder_ref)


def read_renewal(session, username: str, case_id: int, *, purpose: str) -> cases.CaseView:
    """A renewal case (read and logged by the casebook); any other case is refused."""
    case = cases.read_case(session, username, case_id, purpose=purpose)
    if case.domain != Domain.FIREARMS or case.kind != KIND or not {"expiry", "stages"} <= set(case.details):
        raise InvalidInput(f"Case {case_id} is not a firearms renewal opened with its certificate's expiry.")
    return case


def record_stage(session, username: str, case_id: int, *, stage: str, on: date, purpose: str) -> None:
    """Record that ``stage`` was done on ``on`` by ``username``: refused out of order."""
    access.authorise(session, username, Request(Action.UPDATE_CASE, "case", case_id, domain=Domain.FIREARMS,
                                                purpose=purpose, must_state=PURPOSE))  # before the case is looked up
    case = read_renewal(session, username, case_id, purpose=purpose)
    done = [(s["stage"], date.fromisoformat(s["on"])) for s in case.details["stages"]]
    if stage == "decision":
        raise InvalidInput("The decision stage is recorded by deciding the case (grant, refuse or revoke).")
    try:
        check_stage_order(done, stage, on)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    stages = [*case.details["stages"], {"stage": stage, "on": on.isoformat(), "by": username}]
    cases.update_case(session, username, case_id, changes={"stages": stages}, purpose=purpose)


def cover(session, username: str, case_id: int, *, on: date, purpose: str) -> dict:
    """The holder's cover on ``on``: certificate, s28B extension or s7 permit, until when, and
    whether to warn that it will lapse."""
    case = read_renewal(session, username, case_id, purpose=purpose)
    stages = {s["stage"]: date.fromisoformat(s["on"]) for s in case.details["stages"]}
    permit = case.details.get("permit")
    c = cover_on(on, date.fromisoformat(case.details["expiry"]), stages["received"], stages.get("decision"),
                 (date.fromisoformat(permit[0]), date.fromisoformat(permit[1])) if permit else None)
    return {"kind": c.kind, "until": c.until, "warn": c.warn, "lapsed": c.lapsed}


def issue_permit(session, username: str, case_id: int, *, issued: date, weeks: int = PERMIT_WEEKS,
                 reason: str) -> date:
    """Issue an s7 temporary permit from ``issued`` for ``weeks`` weeks, with the reason (kept as
    a decision on the case, with who issued it, and logged); return its last day, worked out by
    the rules. Only a role that may decide firearms cases may issue one."""
    access.authorise(session, username, Request(Action.DECIDE_CASE, "case", case_id, domain=Domain.FIREARMS,
                                                purpose=reason, must_state=REASON))  # before the case is looked up
    if not 1 <= weeks <= PERMIT_MOST_WEEKS:
        raise InvalidInput(f"A permit runs for 1 to {PERMIT_MOST_WEEKS} whole weeks ({PERMIT_WEEKS} unless stated), "
                           f"not {weeks}.")
    last_day = permit_expiry(issued, timedelta(weeks=weeks))
    case = read_renewal(session, username, case_id, purpose=f"issuing an s7 permit: {reason}")
    if issued < date.fromisoformat(case.details["stages"][0]["on"]):
        raise InvalidInput(f"A permit cannot be issued ({issued}) before the application was received.")
    cases.record_decision(session, username, case_id, kind="s7_permit",
                          outcome=f"issued {issued.isoformat()}, last day {last_day.isoformat()}", reason=reason)
    cases.update_case(session, username, case_id, purpose=f"issuing an s7 permit: {reason}",
                      changes={"permit": [issued.isoformat(), last_day.isoformat()]})
    return last_day


def decide(session, username: str, case_id: int, *, decision: str, on: date, reason: str) -> int:
    """Grant, refuse or revoke (s30A/s30C), with the reason; the decision stage is recorded
    (after every earlier stage) and the case closed."""
    access.authorise(session, username, Request(Action.DECIDE_CASE, "case", case_id, domain=Domain.FIREARMS,
                                                purpose=reason, must_state=REASON))  # before the case is looked up
    if decision not in DECISIONS:
        raise InvalidInput(f"Unknown decision {decision!r}: expected one of {', '.join(DECISIONS)}.")
    case = read_renewal(session, username, case_id, purpose=f"deciding the renewal: {reason}")
    done = [(s["stage"], date.fromisoformat(s["on"])) for s in case.details["stages"]]
    if decision in ("grant", "refuse"):
        try:
            check_stage_order(done, "decision", on)
        except ValueError as error:
            raise InvalidInput(str(error)) from None
    decision_id = cases.record_decision(session, username, case_id, kind=decision,
                                        outcome=DECISIONS[decision], reason=reason)
    stages = [*case.details["stages"], {"stage": "decision", "on": on.isoformat(), "by": username}]
    cases.update_case(session, username, case_id, changes={"stages": stages, "decision": decision},
                      purpose=f"recording the decision: {reason}")
    cases.close_case(session, username, case_id, reason=f"{decision}: {reason}")
    return decision_id
