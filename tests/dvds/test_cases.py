"""Clare's Law cases: stages in order, every stage dated, the 28 days in UK days, refusals that write nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from tests.dvds.conftest import OFFICER, known_person

from peel.casebook import db
from peel.casebook.cases import read_case
from peel.casebook.errors import AccessRefused, InvalidInput, InvalidStateChange
from peel.casebook.models import AuditEntry, Case
from peel.dvds.cases import open_application, record_stage, reopen, timeliness, uk_day

WHY = "Right to Ask from the person at risk, ref 12"
ALL_MET = {"lawful": True, "necessary": True, "proportionate": True}


def _open(url, first=date(2025, 6, 2), ref="demo_custody:A1", route="right_to_ask", user=OFFICER) -> int:
    with db.transaction(url) as s:
        return open_application(s, user, route=route, person_ref=ref, first_contact=first, purpose=WHY,
                                known_person=known_person)


def _stage(url, case_id, stage, on, **extra) -> None:
    with db.transaction(url) as s:
        record_stage(s, OFFICER, case_id, stage, on=on, purpose=WHY, **extra)


def _counts(url) -> tuple[int, int]:
    with db.transaction(url, readonly=True) as s:
        return (s.scalar(select(func.count()).select_from(Case)),
                s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.operation != "refusal")))


def _run_to_disclosure(url, case_id) -> None:
    _stage(url, case_id, "initial_checks", date(2025, 6, 3))
    _stage(url, case_id, "face_to_face", date(2025, 6, 9))
    _stage(url, case_id, "risk_assessment", date(2025, 6, 12))
    _stage(url, case_id, "multi_agency_decision", date(2025, 6, 20), decision="disclose", tests=ALL_MET)
    _stage(url, case_id, "disclosure", date(2025, 6, 23), recipient="the person at risk")


def test_record_stage_takes_a_case_through_every_stage_and_closes_it(casebook_url, staff):
    case_id = _open(casebook_url)
    _run_to_disclosure(casebook_url, case_id)
    _stage(casebook_url, case_id, "safety_plan", date(2025, 6, 24))
    with db.transaction(casebook_url) as s:
        case = read_case(s, OFFICER, case_id, purpose=WHY)
    assert case.status == "closed"
    assert list(case.details["stages"]) == ["initial_checks", "face_to_face", "risk_assessment",
                                            "multi_agency_decision", "disclosure", "safety_plan"]
    assert [(d.kind, d.outcome) for d in case.decisions] == [("multi_agency_decision", "disclose")]
    assert timeliness(case.details) .met is True


def test_record_stage_refuses_a_stage_out_of_order_and_writes_nothing(casebook_url, staff):
    case_id = _open(casebook_url)
    before = _counts(casebook_url)
    with pytest.raises(InvalidStateChange, match="next is Initial contact and checks"):
        _stage(casebook_url, case_id, "risk_assessment", date(2025, 6, 3))
    assert _counts(casebook_url) == before


def test_record_stage_refuses_a_disclosure_dated_before_the_application(casebook_url, staff):
    case_id = _open(casebook_url)
    with pytest.raises(InvalidInput, match="before the application"):
        _stage(casebook_url, case_id, "initial_checks", date(2025, 5, 30))


def test_record_stage_refuses_a_disclosure_the_forum_did_not_find_proportionate(casebook_url, staff):
    case_id = _open(casebook_url)
    for stage, day in (("initial_checks", 3), ("face_to_face", 4), ("risk_assessment", 5)):
        _stage(casebook_url, case_id, stage, date(2025, 6, day))
    with pytest.raises(InvalidInput, match="proportionate not met"):
        _stage(casebook_url, case_id, "multi_agency_decision", date(2025, 6, 6), decision="disclose",
               tests={**ALL_MET, "proportionate": False})


def test_record_stage_skips_the_disclosure_after_a_decision_not_to_disclose(casebook_url, staff):
    case_id = _open(casebook_url)
    for stage, day in (("initial_checks", 3), ("face_to_face", 4), ("risk_assessment", 5)):
        _stage(casebook_url, case_id, stage, date(2025, 6, day))
    _stage(casebook_url, case_id, "multi_agency_decision", date(2025, 6, 6), decision="no_disclosure",
           tests={**ALL_MET, "necessary": False})
    with pytest.raises(InvalidStateChange, match="next is Safety plan"):
        _stage(casebook_url, case_id, "disclosure", date(2025, 6, 7), recipient="the person at risk")


def test_record_stage_past_28_days_needs_the_breach_reason(casebook_url, staff):
    case_id = _open(casebook_url)
    _run_to_disclosure(casebook_url, case_id)
    with pytest.raises(InvalidInput, match="reason for the breach"):
        _stage(casebook_url, case_id, "safety_plan", date(2025, 7, 1))
    _stage(casebook_url, case_id, "safety_plan", date(2025, 7, 1), breach_reason="applicant on holiday")
    with db.transaction(casebook_url) as s:
        details = read_case(s, OFFICER, case_id, purpose=WHY).details
    assert (timeliness(details).met, timeliness(details).days, details["breach_reason"]) == (
        False, 29, "applicant on holiday")


def test_timeliness_counts_uk_days_across_the_clock_change():
    # 23:30 UTC on Saturday 28 March 2026 is still 28 March in the UK (GMT); 23:30 UTC on
    # 25 April is 00:30 on 26 April (BST): 29 UK days, although 28 x 24 hours have passed.
    first = uk_day(datetime(2026, 3, 28, 23, 30, tzinfo=UTC))
    done = uk_day(datetime(2026, 4, 25, 23, 30, tzinfo=UTC))
    result = timeliness({"first_contact": first.isoformat(), "stages": {"safety_plan": done.isoformat()}})
    assert (first, done, result.deadline, result.days, result.met) == (
        date(2026, 3, 28), date(2026, 4, 26), date(2026, 4, 25), 29, False)
    # In the autumn, 23:30 UTC on 24 October is already the 25th in the UK (BST).
    assert uk_day(datetime(2025, 10, 24, 23, 30, tzinfo=UTC)) == date(2025, 10, 25)


def test_open_application_refuses_an_unknown_person_and_writes_nothing(casebook_url, staff):
    before = _counts(casebook_url)
    with pytest.raises(InvalidInput, match="no person 'demo_custody:Z9'"):
        _open(casebook_url, ref="demo_custody:Z9")
    assert _counts(casebook_url) == before


def test_open_application_refuses_a_duplicate_case(casebook_url, staff):
    first = _open(casebook_url)
    before = _counts(casebook_url)
    with pytest.raises(InvalidStateChange, match=f"Case {first} is already open"):
        _open(casebook_url)
    assert _counts(casebook_url) == before
    assert _open(casebook_url, route="right_to_know") != first  # the other route is another case


def test_reopen_opens_a_new_case_linked_to_the_closed_one(casebook_url, staff):
    case_id = _open(casebook_url)
    _run_to_disclosure(casebook_url, case_id)
    _stage(casebook_url, case_id, "safety_plan", date(2025, 6, 24))
    with db.transaction(casebook_url) as s:
        again = reopen(s, OFFICER, case_id, on=date(2025, 9, 1), purpose=WHY, known_person=known_person)
    with db.transaction(casebook_url) as s:
        case = read_case(s, OFFICER, again, purpose=WHY)
    assert (case.status, case.details["reopens"], case.details["first_contact"]) == ("open", case_id, "2025-09-01")
    with pytest.raises(InvalidStateChange, match="still open"), db.transaction(casebook_url) as s:
        reopen(s, OFFICER, again, on=date(2025, 9, 2), purpose=WHY, known_person=known_person)


def test_open_application_is_refused_to_roles_outside_public_protection(casebook_url, staff):
    for role in ("licensing_officer", "police_officer", "pcc_scrutiny_officer"):
        with pytest.raises(AccessRefused):
            _open(casebook_url, user=staff[role])
