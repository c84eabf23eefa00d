"""Cases and decisions: the generic records later workflows build on."""

from __future__ import annotations

from datetime import date

import pytest

from peel.casebook import cases, db
from peel.casebook.errors import InvalidInput, InvalidStateChange, NotFound, PurposeRequired
from peel.casebook.roles import Domain

from .conftest import add_staff, audit_entries, count_rows, refusal

PURPOSE = "Right to Ask application received"
TABLES = ("case_record", "decision", "audit_entry")


@pytest.fixture
def case_id(staff, casebook_url) -> int:
    with db.transaction(casebook_url) as s:
        return cases.open_case(s, "public.protection.officer", domain=Domain.DVDS, kind="right_to_ask",
                               details={"applicant": "A. Applicant", "concern": "partner's history"},
                               purpose=PURPOSE, subject_ref="P-77")


def rows(url: str) -> dict[str, int]:
    return {t: count_rows(url, t) for t in TABLES}


def test_read_case_returns_details_and_decisions_in_order(case_id, casebook_url):
    # The approval is a second person's (four eyes): a public-protection inspector, since a
    # supervisor outside public protection may not see Clare's Law cases.
    add_staff(casebook_url, "pp.inspector", "public_protection_officer")
    with db.transaction(casebook_url) as s:
        cases.record_decision(s, "public.protection.officer", case_id, kind="risk_assessment",
                              outcome="high", reason="history of controlling behaviour")
        cases.record_decision(s, "pp.inspector", case_id, kind="approval", outcome="disclose",
                              reason="pressing need; lawful, necessary and proportionate")
        view = cases.read_case(s, "pp.inspector", case_id, purpose="forum decision on disclosure")
    assert view.details["applicant"] == "A. Applicant" and view.subject_ref == "P-77"
    assert view.opened_by == "public.protection.officer" and view.status == "open"
    assert [(d.kind, d.outcome, d.decided_by) for d in view.decisions] == [
        ("risk_assessment", "high", "public.protection.officer"), ("approval", "disclose", "pp.inspector")]
    assert view.review_date.year == view.opened_at.year + 6


def test_read_case_gives_a_view_that_cannot_change_the_record(case_id, casebook_url):
    with db.transaction(casebook_url) as s:
        view = cases.read_case(s, "public.protection.officer", case_id, purpose="preparing the meeting")
    with pytest.raises(TypeError):
        view.details["applicant"] = "someone else"
    with db.transaction(casebook_url) as s:
        again = cases.read_case(s, "public.protection.officer", case_id, purpose="preparing the meeting")
    assert again.details["applicant"] == "A. Applicant"


def test_update_case_changes_details_and_logs_only_the_field_names(case_id, casebook_url):
    with db.transaction(casebook_url) as s:
        cases.update_case(s, "public.protection.officer", case_id,
                          changes={"concern": "new information from partner agency"}, purpose="record new information")
        view = cases.read_case(s, "public.protection.officer", case_id, purpose="check the update")
    assert view.details["concern"] == "new information from partner agency"
    with db.transaction(casebook_url) as s:
        from peel.casebook.models import AuditEntry
        entry = s.query(AuditEntry).filter_by(operation="alteration").one()
    assert entry.detail == '{"fields":["concern"]}' and "partner agency" not in entry.detail


def test_record_decision_refuses_an_approval_by_whoever_opened_the_case(case_id, casebook_url):
    before = rows(casebook_url)
    with pytest.raises(InvalidStateChange, match="four eyes"), db.transaction(casebook_url) as s:
        cases.record_decision(s, "public.protection.officer", case_id, kind="approval", outcome="disclose",
                              reason="I think so")
    assert rows(casebook_url) == before


def test_a_closed_case_takes_no_changes_decisions_or_disclosures(case_id, casebook_url):
    with db.transaction(casebook_url) as s:
        cases.close_case(s, "public.protection.officer", case_id, reason="disclosure made")
    before = rows(casebook_url)
    attempts = [
        lambda s: cases.update_case(s, "public.protection.officer", case_id, changes={"x": 1}, purpose=PURPOSE),
        lambda s: cases.record_decision(s, "public.protection.officer", case_id, kind="approval", outcome="x",
                                        reason="late information from the forum"),
        lambda s: cases.record_disclosure(s, "public.protection.officer", case_id, recipient="the applicant",
                                          purpose=PURPOSE),
        lambda s: cases.close_case(s, "public.protection.officer", case_id, reason="closing it a second time"),
    ]
    for change in attempts:
        with pytest.raises(InvalidStateChange, match="closed"), db.transaction(casebook_url) as s:
            change(s)
    assert rows(casebook_url) == before


def test_close_case_logs_the_reason_for_closing(case_id, casebook_url):
    with db.transaction(casebook_url) as s:
        cases.close_case(s, "public.protection.officer", case_id, reason="disclosure made to the applicant")
        from peel.casebook.models import AuditEntry
        entry = s.query(AuditEntry).order_by(AuditEntry.seq.desc()).first()
    assert (entry.object_id, entry.purpose) == (str(case_id), "disclosure made to the applicant")
    assert entry.detail == '{"change":"closed"}'


@pytest.mark.parametrize("reason", [None, "   ", "done"])
def test_close_case_and_record_decision_refuse_a_reason_too_short_to_mean_anything(reason, case_id, casebook_url):
    before = rows(casebook_url)
    attempts = [
        lambda s: cases.close_case(s, "public.protection.officer", case_id, reason=reason),
        lambda s: cases.record_decision(s, "public.protection.officer", case_id, kind="approval", outcome="disclose",
                                        reason=reason),
    ]
    for change in attempts:
        with pytest.raises(PurposeRequired, match="--reason"), db.transaction(casebook_url) as s:
            change(s)
    assert rows(casebook_url) == {**before, "audit_entry": before["audit_entry"] + 2}
    logged = [refusal(e) for e in audit_entries(casebook_url, before["audit_entry"])]
    assert [(r["actor"], r["action"], r["purpose"]) for r in logged] == [
        ("public.protection.officer", "update_case", (reason or "").strip() or None),
        ("public.protection.officer", "decide_case", (reason or "").strip() or None)]


def test_record_disclosure_logs_recipient_and_purpose(case_id, casebook_url):
    with db.transaction(casebook_url) as s:
        cases.record_disclosure(s, "public.protection.officer", case_id, recipient="the applicant (Right to Ask)",
                                purpose="Clare's Law disclosure agreed by the forum")
        from peel.casebook.models import AuditEntry
        entry = s.query(AuditEntry).filter_by(operation="disclosure").one()
    assert entry.purpose == "Clare's Law disclosure agreed by the forum"
    assert entry.subject_ref == "P-77" and "the applicant (Right to Ask)" in entry.detail


@pytest.mark.parametrize(
    "change, error",
    [
        ({"domain": "parking"}, "Unknown domain"),
        ({"kind": " "}, "kind is required"),
        ({"details": {"when": date(2026, 1, 1)}}, "JSON values"),
    ],
)
def test_open_case_refuses_bad_input_with_nothing_written(change, error, staff, casebook_url):
    before = rows(casebook_url)
    arguments = {"domain": Domain.DVDS, "kind": "right_to_ask", "details": {}, "purpose": PURPOSE} | change
    with pytest.raises(InvalidInput, match=error), db.transaction(casebook_url) as s:
        cases.open_case(s, "public.protection.officer", **arguments)
    assert rows(casebook_url) == before


def test_read_case_refuses_a_case_that_does_not_exist(staff, casebook_url):
    with pytest.raises(NotFound, match="no case 999"), db.transaction(casebook_url) as s:
        cases.read_case(s, "supervisor", 999, purpose=PURPOSE)


def test_count_cases_gives_aggregates_to_the_pcc_office_without_logging(case_id, casebook_url):
    before = count_rows(casebook_url, "audit_entry")
    with db.transaction(casebook_url) as s:
        counts = cases.count_cases(s, "pcc.scrutiny.officer")
    assert counts == {("dvds", "right_to_ask", "open"): 1}
    assert count_rows(casebook_url, "audit_entry") == before

