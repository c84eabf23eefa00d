"""The safeguarding commands, run for real by a signed-in licensing officer: the audit log says
who scanned or decided, why, and which holders and review items (issue 9). (`peel firearms
oldest` is checked in test_backlog.py.)"""

import pytest
from tests.casebook.audit_checks import audited_run, copy_warehouse

from peel.casebook import db, review
from peel.firearms.safeguarding import ALGORITHM, KIND, SUMMARY

from .conftest import OFFICER, SECOND_OFFICER

WHY = "weekly safeguarding review of certificate holders"


@pytest.fixture
def signed_in(staff, log_in) -> None:
    for user in (OFFICER, SECOND_OFFICER):
        log_in(user)


def test_safeguarding_scan_logs_the_consultation_with_its_purpose_and_the_holders_found(
        signed_in, linked_small_demo, peel_home):
    copy_warehouse(linked_small_demo, peel_home)
    *proposed, scanned = audited_run(OFFICER, "firearms", "safeguarding-scan", "--purpose", WHY)
    holders = scanned["detail"].pop("holders")
    assert scanned == {"actor": OFFICER, "role": "licensing_officer", "operation": "consultation",
                       "object_type": "firearms_holder", "object_id": None, "subject_ref": None, "purpose": WHY,
                       "detail": {"domain": "firearms", "scan": ALGORITHM, "raised": len(holders), "already": 0}}
    # Each holder found is queued by the algorithm, for a person to decide: one item each.
    assert len(holders) > 0 and holders == sorted({e["subject_ref"] for e in proposed})
    assert {(e["actor"], e["operation"], e["object_type"]) for e in proposed} == {
        (f"algorithm:{ALGORITHM}", "collection", "review_item")}
    assert len(proposed) == len(holders)


def test_safeguarding_decide_logs_the_decision_with_its_outcome_reason_and_holder(signed_in):
    with db.transaction() as session:
        item = review.propose(session, domain="firearms", kind=KIND, summary=SUMMARY, by_algorithm=ALGORITHM,
                              subject_ref="FH000001", payload={"holder_ref": "FH000001", "records": []})
    [decided] = audited_run(SECOND_OFFICER, "firearms", "safeguarding-decide", str(item), "--outcome", "review",
                            "--reason", WHY)
    assert decided == {"actor": SECOND_OFFICER, "role": "licensing_officer", "operation": "alteration",
                       "object_type": "review_item", "object_id": str(item), "subject_ref": "FH000001",
                       "purpose": f"review: {WHY}",
                       "detail": {"decision": "accepted", "domain": "firearms", "kind": KIND}}
