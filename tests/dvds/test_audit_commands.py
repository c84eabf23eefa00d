"""Each ``peel dvds`` command on personal data, run for real by a signed-in public-protection
officer: the audit log says who read, opened, changed, decided or disclosed, why, and on which
case, person and review item (issue 9)."""

from __future__ import annotations

from datetime import date

import pytest
from tests.casebook.audit_checks import audited_run, copy_warehouse
from tests.dvds.conftest import OFFICER, known_person

from peel.casebook import db, review
from peel.dvds.cases import open_application, record_stage
from peel.dvds.recognition import ALGORITHM, CANDIDATE_KIND
from peel.warehouse import connect

WHY = "Right to Ask from the person at risk, ref 12"
ROLE = "public_protection_officer"
WHO = {"actor": OFFICER, "role": ROLE}


@pytest.fixture
def signed_in(staff, log_in) -> None:
    log_in(OFFICER)


@pytest.fixture
def person(linked_small_demo, peel_home) -> str:
    """A linked person of a copy of the linked demo warehouse, this test's own."""
    con = connect(copy_warehouse(linked_small_demo, peel_home), read_only=True)
    try:
        return "entity:{}".format(*con.execute(
            "SELECT min(entity_id) FROM linkage_entity WHERE run_id = (SELECT max(run_id) FROM linkage_run)"
        ).fetchone())
    finally:
        con.close()


def _case(casebook_url, *stages: str) -> int:
    """A Right to Ask case about a known person, through ``stages`` (a day apart from 2 March 2026)."""
    with db.transaction(casebook_url) as s:
        case_id = open_application(s, OFFICER, route="right_to_ask", person_ref="demo_custody:A1",
                                   first_contact=date(2026, 3, 2), purpose=WHY, known_person=known_person)
        for day, stage in enumerate(stages, start=3):
            record_stage(s, OFFICER, case_id, stage, on=date(2026, 3, day), purpose=WHY)
    return case_id


# On SQLite only: it files some 160 review items, each chained into the log, which takes
# PostgreSQL several seconds; the others here check the same entries on both backends.
@pytest.mark.parametrize("casebook_url", ["sqlite"], indirect=True)
def test_dvds_recognise_logs_a_consultation_of_each_person_it_queues(signed_in, linked_small_demo, peel_home):
    copy_warehouse(linked_small_demo, peel_home)
    entries = audited_run(OFFICER, "dvds", "recognise", "--purpose", WHY)
    queued = [e["subject_ref"] for e in entries if e["actor"] == f"algorithm:{ALGORITHM}"]
    consulted = [e for e in entries if e["actor"] == OFFICER]
    # One consultation per person, however many candidates (new partners) they are queued for.
    persons = list(dict.fromkeys(queued))
    assert len(queued) > 0 and len(entries) == len(queued) + len(persons)
    assert consulted == [{**WHO, "operation": "consultation", "object_type": "linked_entity", "object_id": None,
                          "subject_ref": ref, "purpose": WHY, "detail": {"domain": "dvds"}} for ref in persons]


def test_dvds_open_logs_the_collection_of_the_case_with_its_purpose_and_person(signed_in, person):
    [opened] = audited_run(OFFICER, "dvds", "open", "--route", "right_to_ask", "--person", person,
                           "--first-contact", "2026-03-02", "--purpose", WHY)
    assert opened == {**WHO, "operation": "collection", "object_type": "case", "object_id": "1",
                      "subject_ref": person, "purpose": WHY,
                      "detail": {"domain": "dvds", "kind": "application",
                                 "fields": ["first_contact", "origin", "route", "stages"]}}


def test_dvds_stage_logs_the_decision_and_the_disclosure_with_their_purpose(signed_in, casebook_url):
    case_id = _case(casebook_url, "initial_checks", "face_to_face", "risk_assessment")
    on_case = {**WHO, "object_type": "case", "object_id": str(case_id), "subject_ref": "demo_custody:A1",
               "purpose": WHY}
    read = {**on_case, "operation": "consultation", "detail": {"domain": "dvds"}}
    decided = audited_run(OFFICER, "dvds", "stage", str(case_id), "multi_agency_decision", "--on", "2026-03-06",
                          "--decision", "disclose", "--lawful", "--necessary", "--proportionate", "--purpose", WHY)
    # The decision's entry points to it; its reason stays with it, erased with the case.
    assert decided == [read, {**on_case, "operation": "alteration", "detail": {"fields": ["decision", "stages", "tests"]}},
                       {**on_case, "operation": "alteration", "purpose": None,
                        "detail": {"decision_id": 1, "kind": "multi_agency_decision", "outcome": "disclose"}}]
    disclosed = audited_run(OFFICER, "dvds", "stage", str(case_id), "disclosure", "--on", "2026-03-07",
                            "--recipient", "the person at risk", "--purpose", WHY)
    assert disclosed == [read, {**on_case, "operation": "alteration", "detail": {"fields": ["stages"]}},
                         {**on_case, "operation": "disclosure", "detail": {"recipient": "the person at risk"}}]


def test_dvds_show_logs_the_consultation_of_the_case(signed_in, casebook_url):
    case_id = _case(casebook_url)
    [read] = audited_run(OFFICER, "dvds", "show", str(case_id), "--purpose", WHY)
    assert read == {**WHO, "operation": "consultation", "object_type": "case", "object_id": str(case_id),
                    "subject_ref": "demo_custody:A1", "purpose": WHY, "detail": {"domain": "dvds"}}


def test_dvds_decide_logs_the_decision_its_reading_and_the_case_it_opens(signed_in, casebook_url, person):
    with db.transaction(casebook_url) as s:
        item = review.propose(s, domain="dvds", kind=CANDIDATE_KIND, by_algorithm=ALGORITHM, subject_ref=person,
                              summary="Right to Know candidate: abuse history, then a new partner", payload={})
    decided, read, opened = audited_run(OFFICER, "dvds", "decide", str(item), "--accept", "--reason", WHY)
    on_item = {**WHO, "object_type": "review_item", "object_id": str(item), "subject_ref": person}
    assert decided == {**on_item, "operation": "alteration", "purpose": WHY,
                       "detail": {"decision": "accepted", "domain": "dvds", "kind": CANDIDATE_KIND}}
    assert read == {**on_item, "operation": "consultation", "purpose": f"deciding Right to Know candidate: {WHY}",
                    "detail": {"domain": "dvds"}}
    assert opened == {**WHO, "operation": "collection", "object_type": "case", "object_id": "1",
                      "subject_ref": person, "purpose": f"Right to Know from recognition: {WHY}",
                      "detail": {"domain": "dvds", "kind": "application",
                                 "fields": ["first_contact", "origin", "route", "stages"]}}
