"""Each ``peel intel`` command on personal data, run for real by a signed-in user whose role
may: the audit log says who did what, why, and to which subject and review item (issue 9).
(`peel intel pack` is checked in test_packs.py.)"""

from __future__ import annotations

from datetime import date

import pytest
from tests.casebook.audit_checks import audited_run

from peel.intel.events import KIND as ASSESSMENT
from peel.intel.events import PlannedEvent, draft_assessment
from peel.intel.packs import KIND as PACK
from peel.intel.packs import decide_pack, draft_pack, write_draft

from .conftest import PURPOSE

WHY = "Operation Kestrel: checking the pack before the tasking meeting"
VENUE, DAY = "Chalk Park", "2026-04-11"
DERBY = PlannedEvent("Chalk Town v Brackenholt Rovers", VENUE, date(2026, 4, 11), 12000,
                     ("Chalk Town", "Brackenholt Rovers"))


@pytest.fixture
def signed_in(staff, log_in) -> dict[str, str]:
    """The intelligence tests' staff, the author and the supervisor signed in on this computer."""
    for user in (staff["author"], staff["supervisor"]):
        log_in(user)
    return staff


@pytest.fixture
def draft(signed_in, subject):
    return draft_pack(signed_in["author"], subject, purpose=PURPOSE)


def test_intel_verify_logs_the_consultation_with_its_purpose_and_subject(signed_in, draft, subject, tmp_path):
    files = write_draft(draft, tmp_path / "draft")
    author = signed_in["author"]
    [consulted] = audited_run(author, "intel", "verify", str(files["json"]), "--purpose", WHY)
    assert consulted == {"actor": author, "role": "intelligence_analyst", "operation": "consultation",
                         "object_type": PACK, "object_id": None, "subject_ref": subject, "purpose": WHY,
                         "detail": {"domain": "intelligence"}}


def test_intel_approve_logs_the_decision_with_its_reason_and_subject(signed_in, draft, subject):
    supervisor = signed_in["supervisor"]
    [decided] = audited_run(supervisor, "intel", "approve", str(draft.item_id), "--reason", WHY)
    assert decided == {"actor": supervisor, "role": "supervisor", "operation": "alteration",
                       "object_type": "review_item", "object_id": str(draft.item_id), "subject_ref": subject,
                       "purpose": WHY, "detail": {"decision": "accepted", "domain": "intelligence", "kind": PACK}}


def test_intel_export_logs_the_disclosure_with_author_approver_purpose_and_subject(
        signed_in, draft, subject, tmp_path):
    author, supervisor = signed_in["author"], signed_in["supervisor"]
    decide_pack(supervisor, draft.item_id, approve=True, reason="sources checked, proportionate")
    item = str(draft.item_id)
    read, disclosed = audited_run(author, "intel", "export", item, "--purpose", WHY, "--out", str(tmp_path / "out"))
    who = {"actor": author, "role": "intelligence_analyst", "subject_ref": subject, "purpose": WHY}
    assert read == {**who, "operation": "consultation", "object_type": "review_item", "object_id": item,
                    "detail": {"domain": "intelligence"}}
    assert disclosed == {**who, "operation": "disclosure", "object_type": PACK, "object_id": item,
                         "detail": {"pack_id": draft.pack["pack_id"], "author": author, "approver": supervisor,
                                    "files": ["pack.html", "pack.pdf"]}}


def test_intel_event_logs_the_consultation_of_the_event_and_queues_it(signed_in, warehouse):
    author = signed_in["author"]
    consulted, queued = audited_run(
        author, "intel", "event", "--venue", VENUE, "--date", DAY, "--attendance", "12000", "--risk", "low",
        "--name", DERBY.name, "--participant", "Chalk Town", "--participant", "Brackenholt Rovers",
        "--purpose", WHY)
    who = {"actor": author, "role": "intelligence_analyst"}
    assert consulted == {**who, "operation": "consultation", "object_type": ASSESSMENT, "object_id": None,
                         "subject_ref": f"event:{VENUE}:{DAY}", "purpose": WHY,
                         "detail": {"domain": "intelligence"}}
    assert queued == {**who, "operation": "collection", "object_type": "review_item", "object_id": "1",
                      "subject_ref": f"event:{VENUE}:{DAY}", "purpose": WHY,
                      "detail": {"domain": "intelligence", "kind": ASSESSMENT}}


def test_intel_sign_off_logs_the_decision_with_its_reason(signed_in, warehouse):
    item, _ = draft_assessment(signed_in["author"], DERBY, risk="low", purpose=PURPOSE)
    supervisor = signed_in["supervisor"]
    [decided] = audited_run(supervisor, "intel", "sign-off", str(item), "--reason", WHY)
    assert decided == {"actor": supervisor, "role": "supervisor", "operation": "alteration",
                       "object_type": "review_item", "object_id": str(item),
                       "subject_ref": f"event:{VENUE}:{DAY}", "purpose": WHY,
                       "detail": {"decision": "accepted", "domain": "intelligence", "kind": ASSESSMENT}}
