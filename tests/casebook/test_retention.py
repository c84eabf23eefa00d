"""Retention: what is due is listed; erasure removes the content and logs the fact only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from peel.casebook import access, cases, db, retention, review
from peel.casebook.audit import AuditFilter
from peel.casebook.errors import InvalidStateChange, PurposeRequired
from peel.casebook.roles import Domain

from .conftest import count_rows, statements_sent

TODAY = date(2032, 6, 1)
SECRET = "Distinctive-Detail-9137"


def open_case(url: str, review_date: date, close: bool = False) -> int:
    with db.transaction(url) as s:
        case_id = cases.open_case(s, "licensing.officer", domain=Domain.FIREARMS, kind="renewal",
                                  details={"note": SECRET}, purpose="renewal application received",
                                  subject_ref="P-9", review_date=review_date)
        cases.record_decision(s, "licensing.officer", case_id, kind="assessment", outcome="refer",
                              reason=f"see {SECRET}")
        if close:
            cases.close_case(s, "licensing.officer", case_id, reason="renewal decided")
    return case_id


def test_list_due_separates_review_from_deletion(staff, casebook_url):
    open_due = open_case(casebook_url, TODAY - timedelta(days=1))
    closed_due = open_case(casebook_url, TODAY, close=True)
    open_case(casebook_url, TODAY + timedelta(days=1))
    with db.transaction(casebook_url) as s:
        due = retention.list_due(s, "information.manager", today=TODAY)
    assert [(d.case_id, d.due_for) for d in due] == [(open_due, "review"), (closed_due, "deletion")]


def test_list_due_does_not_read_the_case_details(staff, casebook_url):
    case_id = open_case(casebook_url, TODAY)
    with statements_sent(casebook_url) as sent, db.transaction(casebook_url) as s:
        [due] = retention.list_due(s, "information.manager", today=TODAY)
    assert due.case_id == case_id
    reads = [statement for statement in sent if "case_record" in statement]
    assert reads and not any("details" in statement for statement in reads)


def test_keep_moves_the_review_date_and_logs_why(staff, casebook_url):
    case_id = open_case(casebook_url, TODAY - timedelta(days=1))
    with db.transaction(casebook_url) as s:
        retention.keep(s, "supervisor", case_id, until=TODAY + timedelta(days=365),
                       reason="appeal against refusal pending", today=TODAY)
        assert retention.list_due(s, "supervisor", today=TODAY) == []


def test_erase_removes_the_content_everywhere_and_logs_the_erasure_without_it(staff, casebook_url):
    case_id = open_case(casebook_url, TODAY, close=True)
    with db.transaction(casebook_url) as s:
        review.propose(s, domain=Domain.FIREARMS, kind="safeguarding_alert", summary="alert on holder",
                       payload={"note": SECRET}, by_algorithm="safeguarding-v1", case_id=case_id)
        retention.erase(s, "information.manager", case_id, reason="retention period ended", today=TODAY)
    assert count_rows(casebook_url, "case_record") == 0 and count_rows(casebook_url, "decision") == 0
    with db.transaction(casebook_url) as s:
        for table in ("case_record", "decision", "review_item", "audit_entry"):
            dump = " ".join(str(row) for row in s.execute(text(f"SELECT * FROM {table}")))
            assert SECRET not in dump, table
        [erasure] = [e for e in access.read_audit_log(s, "auditor", AuditFilter(subject_ref="P-9"))
                     if e.operation == "erasure"]
    assert erasure.object_id == str(case_id) and erasure.purpose == "retention period ended"
    assert '"decisions_erased":1' in erasure.detail


def test_erase_refuses_a_case_not_yet_due_with_nothing_written(staff, casebook_url):
    case_id = open_case(casebook_url, TODAY + timedelta(days=30))
    before = count_rows(casebook_url, "audit_entry")
    with pytest.raises(InvalidStateChange, match="not due"), db.transaction(casebook_url) as s:
        retention.erase(s, "information.manager", case_id, reason="tidying up early", today=TODAY)
    assert count_rows(casebook_url, "case_record") == 1
    assert count_rows(casebook_url, "audit_entry") == before


def test_default_review_date_handles_29_february():
    assert retention.default_review_date(Domain.FIREARMS, date(2028, 2, 29)) == date(2034, 2, 28)


def test_keep_refuses_a_missing_reason_saying_which_option_to_use(staff, casebook_url):
    case_id = open_case(casebook_url, TODAY)
    with pytest.raises(PurposeRequired, match="--reason"), db.transaction(casebook_url) as s:
        retention.keep(s, "supervisor", case_id, until=TODAY + timedelta(days=30), reason="", today=TODAY)


def test_erase_refuses_a_reason_too_short_to_mean_anything(staff, casebook_url):
    case_id = open_case(casebook_url, TODAY)
    with pytest.raises(PurposeRequired, match="at least 10 characters"), db.transaction(casebook_url) as s:
        retention.erase(s, "information.manager", case_id, reason="expired", today=TODAY)
    assert count_rows(casebook_url, "case_record") == 1
