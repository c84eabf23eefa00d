"""A pack's life through the casebook: built only by someone with need to know and a purpose,
queued as a draft, approved by a second person with the right role, exported only once approved
and only while it still verifies; author, approver and purpose in the audit log."""

from __future__ import annotations

import json

import pytest
from tests.casebook.conftest import audit_entries

from peel.casebook.errors import AccessRefused, InvalidStateChange, PurposeRequired
from peel.intel.packs import PackUnverified, build_pack, decide_pack, draft_pack, export_pack
from peel.warehouse import connect

from .conftest import PURPOSE


def _url() -> str:
    import os

    return os.environ["PEEL_CASEBOOK_URL"]


def test_build_pack_refuses_a_role_without_need_to_know_and_logs_it(staff, subject):
    with pytest.raises(AccessRefused, match="may not read personal in the intelligence domain"):
        build_pack(staff["officer"], subject, purpose=PURPOSE)
    [entry] = [e for e in audit_entries(_url()) if e.operation == "refusal"]
    assert (entry.actor, entry.object_type, entry.purpose) == (staff["officer"], "intelligence_pack", PURPOSE)


def test_build_pack_refuses_a_missing_purpose(staff, subject):
    with pytest.raises(PurposeRequired):
        build_pack(staff["author"], subject, purpose="")


def test_build_pack_logs_the_consultation_with_its_subject_and_purpose(staff, subject):
    pack = build_pack(staff["author"], subject, purpose=PURPOSE)
    assert pack["marking"] == "OFFICIAL-SENSITIVE" and pack["statements"]
    [entry] = [e for e in audit_entries(_url()) if e.operation == "consultation"]
    assert (entry.actor, entry.subject_ref, entry.purpose) == (staff["author"], subject, PURPOSE)


def test_draft_pack_is_approved_by_a_second_person_with_the_role_then_exported(staff, subject, tmp_path):
    draft = draft_pack(staff["author"], subject, purpose=PURPOSE)
    with pytest.raises(InvalidStateChange, match="only an approved pack is exported"):
        export_pack(staff["author"], draft.item_id, purpose=PURPOSE, out_dir=tmp_path / "early")
    for analyst in (staff["author"], staff["second_analyst"]):  # approval is a supervisor's
        with pytest.raises(AccessRefused, match="may not decide review in the intelligence domain"):
            decide_pack(analyst, draft.item_id, approve=True, reason="I checked the sources myself")
    decide_pack(staff["supervisor"], draft.item_id, approve=True, reason="sources checked, proportionate")
    files = export_pack(staff["author"], draft.item_id, purpose=PURPOSE, out_dir=tmp_path / "pack")
    html = files["html"].read_text()
    assert "OFFICIAL-SENSITIVE" in html and f"Approved by {staff['supervisor']}" in html
    assert files["pdf"].read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "early").exists()
    entries = audit_entries(_url())
    [queued] = [e for e in entries if e.operation == "collection" and e.object_type == "review_item"]
    [decided] = [e for e in entries if e.operation == "alteration" and e.object_type == "review_item"]
    [exported] = [e for e in entries if e.operation == "disclosure"]
    assert queued.actor == staff["author"] and decided.actor == staff["supervisor"]
    assert exported.purpose == PURPOSE
    detail = json.loads(exported.detail)
    assert (detail["author"], detail["approver"]) == (staff["author"], staff["supervisor"])


def test_export_pack_refuses_a_pack_the_warehouse_no_longer_supports(staff, subject, warehouse, tmp_path):
    draft = draft_pack(staff["author"], subject, purpose=PURPOSE)
    decide_pack(staff["supervisor"], draft.item_id, approve=True, reason="sources checked, proportionate")
    cited = next(s for s in draft.pack["statements"] if s["kind"] == "name")["refs"][0][1]
    con = connect(warehouse)
    con.execute("UPDATE person_record SET forename = 'ALTERED' WHERE record_key = ?", [cited])
    con.close()
    with pytest.raises(PackUnverified, match="do not verify"):
        export_pack(staff["author"], draft.item_id, purpose=PURPOSE, out_dir=tmp_path / "pack")
    assert not (tmp_path / "pack" / "pack.pdf").exists()


def test_a_rejected_pack_is_never_exported(staff, subject, tmp_path):
    draft = draft_pack(staff["author"], subject, purpose=PURPOSE)
    decide_pack(staff["supervisor"], draft.item_id, approve=False, reason="purpose does not justify it")
    with pytest.raises(InvalidStateChange, match="rejected"):
        export_pack(staff["author"], draft.item_id, purpose=PURPOSE, out_dir=tmp_path / "pack")
