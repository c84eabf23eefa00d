"""Event risk assessments: for a planned public event (venue, date, expected attendance,
participants), the history in the warehouse that bears on it, every statement cited; a past
event the warehouse does not hold cannot be cited; the risk level is a person's, and the sign-off
the force's declared command level for it (``command_levels.yaml``).

What went wrong in 2025 (an assessment citing a match that never took place) cannot happen here:
the only past events an assessment can name are rows of ``public_event``, found by the
assessment itself or named by the analyst and looked up, and refused when absent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import duckdb

from peel.casebook import access, consultation, review, transaction
from peel.casebook.access import REASON, Request
from peel.casebook.audit import Operation
from peel.casebook.errors import AccessRefused, InvalidInput, InvalidStateChange
from peel.casebook.models import PENDING, ReviewItem
from peel.casebook.roles import Action
from peel.intel.command_levels import DOMAIN, KIND, read_command_levels
from peel.intel.grading import may_show_text
from peel.intel.packs import reading
from peel.intel.records import fetch
from peel.intel.statements import Builder, verify_statements
from peel.measures.periods import parse_day


class UnknownPastEvent(ValueError):
    """A past event the warehouse does not hold: it cannot enter the assessment."""


@dataclass(frozen=True)
class PlannedEvent:
    name: str
    venue: str
    day: date | str  # a day, or as typed (YYYY-MM-DD): read once the user is authorised
    attendance: int
    participants: tuple[str, ...] = ()


def find_past_event(con: duckdb.DuckDBPyConnection, reference: str) -> str:
    """The key of the past event ``reference`` names ("NAME, YYYY-MM-DD" or its key); refused
    when the warehouse holds no such event."""
    name, _, when = reference.rpartition(",")
    row = None
    if name and when.strip():
        try:
            day = date.fromisoformat(when.strip())
        except ValueError:
            day = None
        if day:
            row = con.execute("SELECT event_key FROM public_event WHERE lower(name) = lower(?) AND event_date = ?",
                              [name.strip(), day]).fetchall()
    row = row or con.execute("SELECT event_key FROM public_event WHERE event_key = ? OR source_record_id = ?",
                             [reference.strip(), reference.strip()]).fetchall()
    if not row:
        raise UnknownPastEvent(f"The warehouse holds no past event {reference!r}: a claim about an event "
                               "that is not recorded cannot enter the assessment. Name it as 'NAME, YYYY-MM-DD' "
                               "exactly as recorded (`peel intel event` lists the events it found).")
    return row[0][0]


def assemble_event(con: duckdb.DuckDBPyConnection, planned: PlannedEvent, cited: list[str] = ()) -> list[dict]:
    """The cited history bearing on ``planned``: past events at the venue or with its participants
    (and those the analyst names, each looked up), what was recorded on their days in the venue's
    district, and intelligence that mentions the venue or a participant."""
    named = [find_past_event(con, c) for c in cited]
    found = [k for (k,) in con.execute(
        "SELECT event_key FROM public_event WHERE event_date < ? AND (lower(venue) = lower(?) OR "
        "list_has_any(list_transform(participants, lambda x: lower(x)), ?)) ORDER BY event_date, event_key",
        [planned.day, planned.venue, [p.lower() for p in planned.participants]]).fetchall()]
    keys = list(dict.fromkeys(named + found))
    rows = fetch(con, [("public_event", k) for k in keys])
    b = Builder(rows)
    for key in keys:
        b.add("history", "past_event", [("public_event", key)])
        e = rows[("public_event", key)]
        around = con.execute(
            "SELECT 'crime', crime_key FROM crime WHERE district_code = ? AND recorded_date = ? UNION ALL "
            "SELECT 'arrest', arrest_key FROM arrest WHERE district_code = ? AND arrest_date = ? ORDER BY ALL",
            [e["district_code"], e["event_date"]] * 2).fetchall()
        b.rows |= fetch(con, around)
        b.add("around", "around_event", [("public_event", key), *around])
    terms = [planned.venue, *planned.participants]
    for term in terms:
        for (key,) in con.execute("SELECT event_key FROM intel_report WHERE report_text ILIKE ? ORDER BY 1",
                                  [f"%{term}%"]).fetchall():
            b.rows |= fetch(con, [("intel_report", key)])
            if may_show_text(b.rows[("intel_report", key)]):
                b.add("intelligence", "event_intelligence", [("intel_report", key)], {"term": term})
    return [s.to_dict() for s in b.statements]


def draft_assessment(username: str, planned: PlannedEvent, *, risk: str, purpose: str, cited: list[str] = (),
                     con: duckdb.DuckDBPyConnection | None = None) -> tuple[int, dict]:
    """Assemble the assessment, with the risk level ``username`` sets, and queue it for the sign-off
    its level needs; return (review item, assessment)."""
    levels = read_command_levels()
    with consultation(username, domain=DOMAIN, object_type=KIND, purpose=purpose) as shown, reading(con) as wcon:
        if risk not in levels:  # checked once the user may ask at all
            raise InvalidInput(f"Risk level {risk!r}: expected one of {', '.join(levels)}.")
        if isinstance(planned.day, str):
            planned = replace(planned, day=parse_day(planned.day, "--date"))
        statements = assemble_event(wcon, planned, cited)
        check = verify_statements(wcon, statements)
        shown.append(f"event:{planned.venue}:{planned.day}")
    if not check.passed:
        raise ValueError(f"The assessment does not verify: {check.failures[0].reason}")
    assessment = {"event": {"name": planned.name, "venue": planned.venue, "date": planned.day.isoformat(),
                            "attendance": planned.attendance, "participants": list(planned.participants)},
                  "risk": risk, "risk_set_by": username, "sign_off": levels[risk]["sign_off"],
                  "purpose": purpose, "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                  "statements": statements}
    with transaction() as session:
        item = review.propose(session, domain=DOMAIN, kind=KIND, by_user=username, payload=assessment,
                              subject_ref=shown[0], purpose=purpose,  # the event, as consulted
                              summary=_summary(risk, planned.day.isoformat()))
    return item, assessment


def _summary(risk: str, day: str) -> str:
    """The queue's one line for an assessment: no personal data."""
    return f"Event risk assessment ({risk} risk, {day}): sign-off {read_command_levels()[risk]['sign_off']}"


def list_assessments(username: str) -> list[review.ReviewSummary]:
    """Every event risk assessment in the queue, any status, newest first (summaries carry no
    personal data), for a user with a review queue in the intelligence domain."""
    with transaction(readonly=True) as session:
        items = review.list_items(session, username, status=None, domain=DOMAIN)
    return [i for i in reversed(items) if i.kind == KIND]


def read_assessment(username: str, item_id: int, *, purpose: str) -> review.ReviewItemView:
    """An assessment with its statements, for a user who may read intelligence (logged with the
    purpose)."""
    with transaction() as session:
        view = review.show_item(session, username, item_id, purpose=purpose)
    if view.kind != KIND:
        raise InvalidInput(f"Review item {item_id} is a {view.kind}, not an event risk assessment.")
    return view


def set_risk(username: str, item_id: int, *, risk: str, reason: str) -> None:
    """Change the risk level of an assessment still awaiting sign-off, with the reason (logged,
    with the old and new levels). Anyone who may draft one may raise it; lowering it takes a role
    that may sign off at its current level, so a high-risk event cannot be talked down to a
    level its command would not sign."""
    levels = read_command_levels()
    with transaction() as session:
        actor, item = access.authorise_on(session, username, ReviewItem, Request(
            Action.READ_PERSONAL, KIND, item_id, purpose=reason, must_state=REASON))
        if item.kind != KIND:
            raise InvalidStateChange(f"Review item {item_id} is a {item.kind}, not an event risk assessment.")
        if risk not in levels:
            raise InvalidInput(f"Risk level {risk!r}: expected one of {', '.join(levels)}.")
        if item.status != PENDING:
            raise InvalidStateChange(f"Assessment {item_id} was already {item.status}; its risk level stands.")
        old = item.payload["risk"]
        if list(levels).index(risk) < list(levels).index(old) and actor.role.name not in levels[old]["roles"]:
            raise access.refuse(session, Request(Action.READ_PERSONAL, KIND, item_id, DOMAIN, purpose=reason), AccessRefused(
                f"Lowering a {old}-risk assessment takes {levels[old]['sign_off']}: {username} "
                f"({actor.role.title}) may raise it, not lower it."), username, actor.role.name)
        item.payload = {**item.payload, "risk": risk, "risk_set_by": username, "sign_off": levels[risk]["sign_off"]}
        item.summary = _summary(risk, item.payload["event"]["date"])
        access.record(session, actor, Operation.ALTERATION, KIND, item.id, purpose=reason.strip(),
                      detail={"risk": [old, risk]})


def sign_off_assessment(username: str, item_id: int, *, approve: bool, reason: str) -> None:
    """Sign off (or reject) an assessment: only a role the declared level lists may (the review
    queue holds every decision on one to that level: ``peel.intel.command_levels``)."""
    with transaction() as session:
        # Decided first (the user, the reason, the item are checked there, before the kind is
        # told): a refusal raised here rolls the decision back.
        review.decide(session, username, item_id, accept=approve, reason=reason)
        kind = session.get(ReviewItem, item_id).kind
        if kind != KIND:
            raise InvalidStateChange(f"Review item {item_id} is a {kind}, not an event risk assessment.")
