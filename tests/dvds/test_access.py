"""Only public-protection roles see Clare's Law cases and candidates: a supervisor, who reads
personal data in every other domain, is refused (and the refusal logged); the public-protection
officer reads with a purpose, and the reading is logged."""

from __future__ import annotations

from datetime import date

import pytest
from tests.casebook.conftest import audit_entries, refusal
from tests.dvds.conftest import OFFICER, known_person

from peel.casebook import db, review
from peel.casebook.errors import AccessRefused
from peel.dvds.cases import open_application, record_stage
from peel.dvds.queue import decide_candidate
from peel.dvds.recognition import ALGORITHM, CANDIDATE_KIND
from peel.dvds.views import case_view, list_cases

WHY = "Right to Ask from the person at risk, ref 31"
SUPERVISOR = "supervisor"


@pytest.fixture
def filed(casebook_url, staff) -> tuple[int, int]:
    """A Clare's Law case and a Right to Know candidate: (case id, item id)."""
    with db.transaction(casebook_url) as s:
        case_id = open_application(s, OFFICER, route="right_to_ask", person_ref="demo_custody:A1",
                                   first_contact=date(2025, 6, 2), purpose=WHY, known_person=known_person)
        item = review.propose(s, domain="dvds", kind=CANDIDATE_KIND, summary="Right to Know candidate",
                              payload={"key": "7-8", "evidence_ids": []}, by_algorithm=ALGORITHM,
                              subject_ref="entity:7")
    return case_id, item


def test_case_view_refuses_a_supervisor_and_logs_the_refusal(casebook_url, filed):
    case_id, item = filed
    before = audit_entries(casebook_url)[-1].seq
    attempts = [
        lambda s: case_view(s, SUPERVISOR, case_id, purpose=WHY),
        lambda s: list_cases(s, SUPERVISOR, purpose=WHY),
        lambda s: record_stage(s, SUPERVISOR, case_id, "initial_checks", on=date(2025, 6, 3), purpose=WHY),
        lambda s: review.show_item(s, SUPERVISOR, item, purpose=WHY),
        lambda s: decide_candidate(s, SUPERVISOR, item, accept=True, reason=WHY, known_person=known_person),
    ]
    for attempt in attempts:
        with pytest.raises(AccessRefused, match="Supervisor"), db.transaction(casebook_url) as s:
            attempt(s)
    logged = [refusal(e) for e in audit_entries(casebook_url, before)]
    assert [(r["actor"], r["role"], r["domain"], r["refusal"]) for r in logged] == [
        (SUPERVISOR, "supervisor", "dvds", "AccessRefused")] * len(attempts)
    assert [r["action"] for r in logged] == ["read_personal", "read_personal", "update_case", "read_personal",
                                             "decide_review"]


def test_list_items_shows_a_supervisor_no_clares_law_candidate(casebook_url, filed):
    with db.transaction(casebook_url, readonly=True) as s:
        assert [i for i in review.list_items(s, SUPERVISOR) if i.domain == "dvds"] == []
        assert [i.id for i in review.list_items(s, OFFICER, domain="dvds")] == [filed[1]]


def test_case_view_shows_the_public_protection_officer_and_logs_the_purpose(casebook_url, filed):
    case_id, _ = filed
    before = audit_entries(casebook_url)[-1].seq
    with db.transaction(casebook_url) as s:
        view = case_view(s, OFFICER, case_id, purpose=WHY)
    assert (view["id"], view["route"], view["subject"]) == (case_id, "Right to Ask", "demo_custody:A1")
    logged = [(e.actor, e.operation, e.object_id, e.subject_ref, e.purpose) for e in audit_entries(casebook_url, before)]
    assert logged == [(OFFICER, "consultation", str(case_id), "demo_custody:A1", WHY)]
