"""Renewals worked as casebook cases: stages in order, cover, decisions, access."""

from datetime import date

import pytest

from peel.casebook import cases as casebook
from peel.casebook import db
from peel.casebook.errors import AccessRefused, InvalidInput, PurposeRequired
from peel.firearms import cases

from .conftest import OFFICER, PCC_OFFICE, PURPOSE, SECOND_OFFICER


def _open(session) -> int:
    return cases.open_renewal(session, OFFICER, application_ref="FA0000001", holder_ref="FH000001",
                              expiry=date(2026, 3, 29), received=date(2026, 1, 10), certificate_kind="shotgun",
                              purpose=PURPOSE)


def test_record_stage_refuses_a_stage_out_of_order(staff):
    with db.transaction() as session:
        case_id = _open(session)
    with db.transaction() as session, pytest.raises(InvalidInput, match="cannot come before Checks"):
        cases.record_stage(session, OFFICER, case_id, stage="home_visit", on=date(2026, 2, 1), purpose=PURPOSE)


def test_cover_extends_a_renewal_made_in_time(staff):
    with db.transaction() as session:
        case_id = _open(session)
        cover = cases.cover(session, OFFICER, case_id, on=date(2026, 4, 1), purpose=PURPOSE)
    assert (cover["kind"], cover["until"]) == ("s28B extension", date(2026, 5, 24))


def test_decide_grants_after_every_stage_and_closes(staff):
    with db.transaction() as session:
        case_id = _open(session)
        for stage, on in (("checks", date(2026, 1, 20)), ("medical", date(2026, 2, 2)),
                          ("home_visit", date(2026, 2, 20))):
            cases.record_stage(session, SECOND_OFFICER, case_id, stage=stage, on=on, purpose=PURPOSE)
        cases.decide(session, SECOND_OFFICER, case_id, decision="grant", on=date(2026, 3, 2),
                     reason="fit to be entrusted; storage inspected")
        case = casebook.read_case(session, OFFICER, case_id, purpose=PURPOSE)
    assert case.status == "closed"
    assert [d.kind for d in case.decisions] == ["grant"] and case.decisions[0].decided_by == SECOND_OFFICER
    assert [s["stage"] for s in case.details["stages"]] == ["received", "checks", "medical", "home_visit", "decision"]


def test_read_case_refused_for_the_pccs_office(staff):
    with db.transaction() as session:
        case_id = _open(session)
    with db.transaction() as session, pytest.raises(AccessRefused):
        cases.cover(session, PCC_OFFICE, case_id, on=date(2026, 4, 1), purpose=PURPOSE)


def test_issue_permit_works_out_its_last_day_and_covers_after_the_extension(staff):
    with db.transaction() as session:
        case_id = _open(session)
        last_day = cases.issue_permit(session, OFFICER, case_id, issued=date(2026, 5, 20),
                                      reason="renewal waiting on the GP; no lapse in cover")
        cover = cases.cover(session, OFFICER, case_id, on=date(2026, 6, 1), purpose=PURPOSE)
        case = casebook.read_case(session, OFFICER, case_id, purpose=PURPOSE)
    assert last_day == date(2026, 7, 14)  # 8 weeks from 20 May, the issuing day the first
    assert (cover["kind"], cover["until"]) == ("s7 permit", date(2026, 7, 14))
    assert [(d.kind, d.decided_by) for d in case.decisions] == [("s7_permit", OFFICER)]
    assert case.decisions[0].reason == "renewal waiting on the GP; no lapse in cover"


def test_issue_permit_refused_for_the_pccs_office_and_without_a_reason(staff):
    with db.transaction() as session:
        case_id = _open(session)
    with db.transaction() as session, pytest.raises(AccessRefused):
        cases.issue_permit(session, PCC_OFFICE, case_id, issued=date(2026, 5, 20), reason="the PCC's office asks")
    with db.transaction() as session, pytest.raises(PurposeRequired, match="reason"):
        cases.issue_permit(session, OFFICER, case_id, issued=date(2026, 5, 20), reason="")
    with db.transaction() as session, pytest.raises(InvalidInput, match="1 to 52 whole weeks"):
        cases.issue_permit(session, OFFICER, case_id, issued=date(2026, 5, 20), weeks=0, reason="a slip of the keyboard")
