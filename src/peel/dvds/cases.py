"""Clare's Law applications as casebook cases: Right to Ask and Right to Know, through their
stages in order, every stage dated, the 28-day target counted from first contact.

Every function checks the acting user's role and logs what they did through the casebook's
face (``peel.casebook.cases``), in the caller's transaction: a refusal (an unknown person, a
stage out of order or dated before the application, a duplicate case) raises before anything
is written, and the transaction rolls back whatever was.

    with transaction() as s:
        case_id = open_application(s, "pp.officer", route="right_to_ask", person_ref="demo_custody:A12",
                                   first_contact=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
                                   purpose="Right to Ask from the person at risk", known_person=exists)
        record_stage(s, "pp.officer", case_id, "initial_checks", on=date(2026, 3, 3), purpose="...")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from peel.casebook import access, cases
from peel.casebook.access import PURPOSE, Request
from peel.casebook.errors import InvalidInput, InvalidStateChange
from peel.casebook.models import OPEN, Case
from peel.casebook.roles import Action

DOMAIN, KIND = "dvds", "application"
ROUTES = {"right_to_ask": "Right to Ask", "right_to_know": "Right to Know"}
ORIGINS = ("applicant", "third_party", "police_information", "recognition")
# The stages in the order the statutory guidance sets them; a case goes through each in turn,
# except the disclosure, which only follows a decision to disclose.
STAGES = {
    "initial_checks": "Initial contact and checks",
    "face_to_face": "Face-to-face meeting",
    "risk_assessment": "Risk assessment",
    "multi_agency_decision": "Multi-agency decision",
    "disclosure": "Disclosure",
    "safety_plan": "Safety plan",
}
DECISIONS = ("disclose", "no_disclosure")
# The multi-agency forum's three tests: a disclosure needs all three.
TESTS = ("lawful", "necessary", "proportionate")
TARGET_DAYS = 28
UK = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Timeliness:
    first_contact: date  # the UK calendar day of first contact
    deadline: date  # the last UK day that meets the target
    finished: date | None  # the day of the last stage, while the case is open None
    days: int  # UK calendar days from first contact to the last stage (or to ``today``)
    met: bool | None  # None while open and not yet late
    breach_reason: str | None


def uk_day(moment: datetime | date) -> date:
    """The UK calendar day of ``moment``: a time is read in Europe/London (GMT or BST)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise InvalidInput(f"The time {moment.isoformat()} has no time zone; give it with one (e.g. +00:00).")
        return moment.astimezone(UK).date()
    return moment


def open_application(
    session: Session, username: str, *, route: str, person_ref: str, first_contact: datetime | date,
    purpose: str, known_person: Callable[[str], bool], origin: str | None = None, reopens: int | None = None,
) -> int:
    """Open a Right to Ask or Right to Know case about ``person_ref`` (the subject: a warehouse
    person record or linked entity that ``known_person`` recognises); return its id. The user
    is checked first, so nobody else learns from the refusal whether a person is known."""
    access.authorise(session, username, Request(Action.OPEN_CASE, "case", domain=DOMAIN, subject_ref=person_ref,
                                                 purpose=purpose, must_state=PURPOSE))
    if route not in ROUTES:
        raise InvalidInput(f"Unknown route {route!r}: use one of {', '.join(ROUTES)}.")
    origin = origin or ("applicant" if route == "right_to_ask" else "police_information")
    if origin not in ORIGINS:
        raise InvalidInput(f"Unknown origin {origin!r}: use one of {', '.join(ORIGINS)}.")
    day = uk_day(first_contact)
    if day > datetime.now(UK).date():
        raise InvalidInput(f"First contact on {day} is in the future.")
    if not known_person(person_ref):
        raise InvalidInput(f"There is no person {person_ref!r} in the warehouse: check the reference "
                           "(a person record key such as demo_custody:A12, or entity:N).")
    duplicate = session.execute(select(Case.id).where(
        Case.domain == DOMAIN, Case.subject_ref == person_ref, Case.status == OPEN,
        Case.kind == KIND)).scalars().all()
    duplicate = [i for i in duplicate if _route_of(session, i) == route]
    if duplicate:
        raise InvalidStateChange(f"Case {duplicate[0]} is already open for {person_ref} on the {ROUTES[route]} "
                                 "route: add to it rather than opening another.")
    details = {"route": route, "origin": origin, "first_contact": day.isoformat(), "stages": {}}
    if reopens is not None:
        details["reopens"] = reopens
    return cases.open_case(session, username, domain=DOMAIN, kind=KIND, details=details, purpose=purpose,
                           subject_ref=person_ref)


def _route_of(session: Session, case_id: int) -> str | None:
    return session.get(Case, case_id).details.get("route")


def record_stage(
    session: Session, username: str, case_id: int, stage: str, *, on: datetime | date, purpose: str,
    decision: str | None = None, tests: dict[str, bool] | None = None, recipient: str | None = None,
    breach_reason: str | None = None,
) -> None:
    """Record that ``stage`` was done ``on`` a day, in order; the multi-agency decision with its
    outcome and the three tests, the disclosure with its recipient. The safety plan ends the
    case; past the 28 days it needs the reason for the breach. A role that may not work Clare's
    Law cases is refused before the case is looked up, so the refusal says nothing of it."""
    access.authorise(session, username, Request(Action.UPDATE_CASE, "case", case_id, domain=DOMAIN,
                                                 purpose=purpose, must_state=PURPOSE))
    case = cases.read_case(session, username, case_id, purpose=purpose)
    if case.domain != DOMAIN:
        raise InvalidInput(f"Case {case_id} is not a Clare's Law case.")
    details = dict(case.details)
    done = dict(details["stages"])
    expected = next_stages(done, details.get("decision"))
    if stage not in STAGES:
        raise InvalidInput(f"Unknown stage {stage!r}: the stages are {', '.join(STAGES)}.")
    if stage not in expected:
        raise InvalidStateChange(f"Case {case_id}: {STAGES[stage]} cannot come now; next is "
                                 + (" or ".join(STAGES[s] for s in expected) or "nothing (the case is complete)") + ".")
    day = uk_day(on)
    earlier = max([date.fromisoformat(details["first_contact"]), *map(date.fromisoformat, done.values())])
    if day < earlier:
        raise InvalidInput(f"Case {case_id}: {STAGES[stage]} on {day} is before the application or its last "
                           f"stage ({earlier}); a stage is dated on or after the one before.")
    if day > datetime.now(UK).date():
        raise InvalidInput(f"Case {case_id}: {STAGES[stage]} on {day} is in the future.")
    changes: dict = {"stages": {**done, stage: day.isoformat()}}
    if stage == "multi_agency_decision":
        changes["decision"], changes["tests"] = _check_decision(decision, tests)
    if stage == "disclosure" and not (recipient and recipient.strip()):
        raise InvalidInput("A disclosure names who received it (--recipient, e.g. 'the person at risk').")
    late = (day - uk_day(date.fromisoformat(details["first_contact"]))).days > TARGET_DAYS
    if stage == "safety_plan" and late:
        if not (breach_reason and breach_reason.strip()):
            raise InvalidInput(f"Case {case_id} took more than {TARGET_DAYS} days: give the reason for the "
                               "breach (--breach-reason).")
        changes["breach_reason"] = breach_reason.strip()
    cases.update_case(session, username, case_id, changes=changes, purpose=purpose)
    if stage == "multi_agency_decision":
        cases.record_decision(session, username, case_id, kind=stage, outcome=changes["decision"], reason=purpose)
    if stage == "disclosure":
        cases.record_disclosure(session, username, case_id, recipient=recipient, purpose=purpose)
    if stage == "safety_plan":
        cases.close_case(session, username, case_id, reason=f"safety plan in place: {purpose}")


def _check_decision(decision: str | None, tests: dict[str, bool] | None) -> tuple[str, dict]:
    if decision not in DECISIONS:
        raise InvalidInput(f"The multi-agency decision is one of {', '.join(DECISIONS)}.")
    tests = tests or {}
    missing = [t for t in TESTS if t not in tests]
    if missing:
        raise InvalidInput(f"The multi-agency decision answers each test: missing {', '.join(missing)}.")
    if decision == "disclose" and not all(tests[t] for t in TESTS):
        raise InvalidInput("A disclosure must be lawful, necessary and proportionate: the forum found "
                           f"{', '.join(t for t in TESTS if not tests[t])} not met.")
    return decision, {t: bool(tests[t]) for t in TESTS}


def next_stages(done: dict, decision: str | None) -> list[str]:
    """The stage(s) that may come next, given the stages done and the decision."""
    order = list(STAGES)
    if not done:
        return order[:1]
    last = max(done, key=order.index)
    if last == "safety_plan":
        return []
    following = order[order.index(last) + 1]
    if following == "disclosure" and decision != "disclose":
        return ["safety_plan"]
    return [following]


def reopen(session: Session, username: str, case_id: int, *, on: datetime | date, purpose: str,
           known_person: Callable[[str], bool]) -> int:
    """Re-open a closed case as a new one (new information, a new first contact), linked to it."""
    case = cases.read_case(session, username, case_id, purpose=purpose)
    if case.status == OPEN:
        raise InvalidStateChange(f"Case {case_id} is still open: record its next stage instead.")
    return open_application(session, username, route=case.details["route"], person_ref=case.subject_ref,
                            first_contact=on, purpose=purpose, known_person=known_person,
                            origin=case.details["origin"], reopens=case_id)


def timeliness(details: dict, today: date | None = None) -> Timeliness:
    """How the case stands against the 28-day target, counted in UK calendar days."""
    first = date.fromisoformat(details["first_contact"])
    finished = details["stages"].get("safety_plan")
    end = date.fromisoformat(finished) if finished else (today or datetime.now(UTC).astimezone(UK).date())
    days = (end - first).days
    met = days <= TARGET_DAYS if finished else (False if days > TARGET_DAYS else None)
    return Timeliness(first, first + timedelta(days=TARGET_DAYS), finished and end, days, met,
                      details.get("breach_reason"))


def known_in(con) -> Callable[[str], bool]:
    """Whether a reference names a person the warehouse holds: a person record's key, or
    ``entity:N``, an entity of the latest linkage run."""
    def known(ref: str) -> bool:
        if ref.startswith("entity:") and ref[7:].isdigit():
            return bool(con.execute("""SELECT count(*) FROM linkage_entity WHERE entity_id = ?
                AND run_id = (SELECT max(run_id) FROM linkage_run)""", [int(ref[7:])]).fetchone()[0])
        return bool(con.execute("SELECT count(*) FROM person_record WHERE record_key = ?", [ref]).fetchone()[0])
    return known
