"""The audit chain: intact logs verify; any edit, deletion, insertion or reordering made
directly in the database is detected, naming the first broken entry."""

from __future__ import annotations

import importlib.util

import pytest
from sqlalchemy.exc import DBAPIError

from peel.casebook import access, audit, audit_key, cases, db
from peel.casebook.audit import GENESIS_HASH, AuditFilter
from peel.casebook.roles import Domain

from .conftest import count_rows, drop_append_only_triggers, execute_raw, rechain

PURPOSE = "renewal application checks"


@pytest.fixture
def logged(staff, casebook_url) -> str:
    """A casebook whose log holds user administration and some casework (about 16 entries)."""
    with db.transaction(casebook_url) as s:
        for n in range(3):
            case_id = cases.open_case(s, "licensing.officer", domain=Domain.FIREARMS, kind="renewal",
                                      details={"holder": f"H{n}"}, purpose=PURPOSE, subject_ref=f"P-{n}")
            cases.read_case(s, "licensing.officer", case_id, purpose=PURPOSE)
    return casebook_url


def verify(url: str) -> audit.Verification:
    with db.transaction(url, snapshot=True) as s:
        return access.verify_audit_log(s, "auditor")


def test_verify_chain_passes_an_untouched_log(logged):
    result = verify(logged)
    entries = count_rows(logged, "audit_entry")
    assert result.intact and result.entries == entries == result.head_seq > 10
    assert result.broken_seq is None


def test_verify_chain_passes_entries_with_non_ascii_text(staff, casebook_url):
    with db.transaction(casebook_url) as s:
        case_id = cases.open_case(s, "public.protection.officer", domain=Domain.DVDS, kind="right_to_know",
                                  details={"ñame": "Zoë"}, purpose="Überprüfung – café ☕ 日本", subject_ref="P-é")
        cases.read_case(s, "public.protection.officer", case_id, purpose="naïve “quoted” purpose")
    assert verify(casebook_url).intact


def test_genesis_hash_matches_the_migration_that_seeds_the_chain_head():
    path = db.MIGRATIONS_DIR / "versions" / "0001_casebook.py"
    spec = importlib.util.spec_from_file_location("casebook_0001", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.GENESIS_HASH == GENESIS_HASH


def test_append_only_triggers_refuse_update_and_delete(logged):
    for statement in ("UPDATE audit_entry SET purpose = 'x' WHERE seq = 3",
                      "DELETE FROM audit_entry WHERE seq = 3"):
        with pytest.raises(DBAPIError, match="append-only"):
            execute_raw(logged, statement)
    assert verify(logged).intact


def test_verify_chain_detects_an_edited_entry(logged):
    drop_append_only_triggers(logged)
    execute_raw(logged, "UPDATE audit_entry SET purpose = 'nothing to see' WHERE seq = 12")
    result = verify(logged)
    assert not result.intact and result.broken_seq == 12 and "altered" in result.reason


@pytest.mark.parametrize(("with_key", "broken", "because"), [
    (False, 12, "keyed hash"),  # a forger without the key recomputes it as a plain SHA-256
    (True, 13, "previous-hash"),  # even with the key, the next entry no longer follows it
])
def test_verify_chain_detects_an_edit_with_a_recomputed_hash(logged, with_key, broken, because):
    drop_append_only_triggers(logged)
    with db.transaction(logged) as s:
        entry = s.get(audit.AuditEntry, 12)
        entry.actor = "someone.else"
        entry.hash = audit.compute_hash(entry, audit_key.load_key() if with_key else None)
    result = verify(logged)
    assert not result.intact and result.broken_seq == broken and because in result.reason


def test_verify_chain_detects_a_deleted_entry(logged):
    drop_append_only_triggers(logged)
    execute_raw(logged, "DELETE FROM audit_entry WHERE seq = 7")
    result = verify(logged)
    assert not result.intact and result.broken_seq == 8 and "entry 7 is missing" in result.reason


def test_verify_chain_detects_entries_deleted_from_the_end(logged):
    last = count_rows(logged, "audit_entry")
    drop_append_only_triggers(logged)
    execute_raw(logged, f"DELETE FROM audit_entry WHERE seq >= {last - 1}")
    result = verify(logged)
    assert not result.intact and result.broken_seq == last - 1 and "removed from the end" in result.reason


def test_verify_chain_detects_an_inserted_entry(logged):
    # Make room at 5 by moving every later entry up one, then insert a forged entry there.
    last = count_rows(logged, "audit_entry")
    drop_append_only_triggers(logged)
    for seq in range(last, 4, -1):
        execute_raw(logged, f"UPDATE audit_entry SET seq = {seq + 1} WHERE seq = {seq}")
    execute_raw(
        logged,
        "INSERT INTO audit_entry (seq, occurred_at, actor, role, operation, object_type, object_id,"
        " subject_ref, purpose, detail, prev_hash, hash) VALUES (5, '2026-01-01T00:00:00.000000Z',"
        f" 'forger', 'supervisor', 'consultation', 'case', '1', 'P-0', 'x', '{{}}', '{GENESIS_HASH}',"
        f" '{'f' * 64}')",
    )
    result = verify(logged)
    assert not result.intact and result.broken_seq == 5


def test_verify_chain_detects_an_entry_appended_outside_peel(logged):
    last = count_rows(logged, "audit_entry")
    with db.transaction(logged) as s:
        head = s.get(audit.AuditEntry, last)
        forged = audit.AuditEntry(seq=last + 1, occurred_at=head.occurred_at, actor="forger", role="supervisor",
                                  operation="consultation", object_type="case", object_id="1",
                                  subject_ref=None, purpose=None, detail="{}", prev_hash=head.hash)
        # Even with the key: the chain head, sealed, does not move.
        forged.hash = audit.compute_hash(forged, audit_key.load_key())
        s.add(forged)
    result = verify(logged)
    assert not result.intact and "chain head" in result.reason


def forge_append(url: str, **fields) -> int:
    """Append a made-up entry by plain INSERT, hashed without the key, and move the chain head
    onto it, as someone with write access to the database would; return its number."""
    with db.transaction(url) as s:
        head = s.get(audit.AuditHead, 1)
        last = s.get(audit.AuditEntry, head.seq)
        forged = audit.AuditEntry(seq=head.seq + 1, occurred_at=last.occurred_at, object_id="1",
                                  subject_ref="P-1", detail="{}", prev_hash=head.hash, **fields)
        forged.hash = audit.compute_hash(forged, None)
        s.add(forged)
        head.seq, head.hash = forged.seq, forged.hash
        return forged.seq


def test_verify_chain_detects_an_entry_appended_with_the_head_moved(logged):
    seq = forge_append(logged, actor="licensing.officer", role="licensing_officer", operation="consultation",
                       object_type="case", purpose="curious about my neighbour")
    result = verify(logged)
    assert not result.intact and result.broken_seq == seq and "without the audit key" in result.reason


def test_verify_chain_detects_entries_cut_from_the_end_with_the_head_moved_back(logged):
    last = count_rows(logged, "audit_entry")
    drop_append_only_triggers(logged)
    execute_raw(logged, f"DELETE FROM audit_entry WHERE seq >= {last - 2}",
                f"UPDATE audit_head SET seq = {last - 3}, hash = (SELECT hash FROM audit_entry WHERE seq = {last - 3})")
    result = verify(logged)
    assert not result.intact and result.broken_seq == last - 2 and "not sealed" in result.reason


def test_verify_chain_refuses_a_log_keyed_with_another_key(logged, monkeypatch):
    monkeypatch.setenv("PEEL_AUDIT_KEY", "ab" * audit_key.KEY_BYTES)
    audit_key.forget_keys()
    result = verify(logged)
    assert not result.intact and result.broken_seq == 1 and "another key" in result.reason


def test_verify_chain_detects_two_entries_swapped(logged):
    drop_append_only_triggers(logged)
    execute_raw(logged, "UPDATE audit_entry SET seq = -1 WHERE seq = 9",
                "UPDATE audit_entry SET seq = 9 WHERE seq = 10",
                "UPDATE audit_entry SET seq = 10 WHERE seq = -1")
    result = verify(logged)
    assert not result.intact and result.broken_seq == 9 and "previous-hash" in result.reason


def test_read_audit_log_filters_by_user_and_subject_and_logs_the_reading(logged):
    with db.transaction(logged) as s:
        by_user = access.read_audit_log(s, "auditor", AuditFilter(actor="licensing.officer"))
        by_subject = access.read_audit_log(s, "auditor", AuditFilter(subject_ref="P-1"))
    assert len(by_user) == 6 and {e.actor for e in by_user} == {"licensing.officer"}
    assert [(e.operation, e.subject_ref) for e in by_subject] == [("collection", "P-1"), ("consultation", "P-1")]
    with db.transaction(logged) as s:
        own = access.read_audit_log(s, "auditor", AuditFilter(actor="auditor"))
    assert [e.object_type for e in own] == ["audit_log", "audit_log"]


def test_audit_entries_hold_references_and_field_names_not_case_content(logged):
    with db.transaction(logged) as s:
        entries = access.read_audit_log(s, "auditor", AuditFilter(subject_ref="P-2"))
    text = " ".join(f"{e.purpose} {e.detail}" for e in entries)
    assert "holder" in text and "H2" not in text


def rewrite_history(url: str, seq: int, key: bytes | None) -> None:
    """Forge entry ``seq`` and recompute every hash after it under ``key`` (None: plain SHA-256,
    all a forger without the key can do), head and its seal included: a full rewrite."""
    drop_append_only_triggers(url)
    with db.transaction(url) as s:
        s.get(audit.AuditEntry, seq).purpose = "a different reason"
        head = s.get(audit.AuditHead, 1)
        head.hash = rechain(s, seq, key)
        if key:
            head.seal = audit.compute_seal(key, head.seq, head.hash, head.keyed_from, head.key_id)


@pytest.mark.parametrize("start", [1, 8, -1])
def test_verify_chain_detects_a_history_rewritten_without_the_key(logged, start):
    seq = count_rows(logged, "audit_entry") if start == -1 else start
    rewrite_history(logged, seq, None)
    result = verify(logged)
    assert not result.intact and result.broken_seq == seq and "keyed hash" in result.reason


def test_verify_chain_with_an_anchor_detects_a_history_rewritten_with_the_key(logged):
    before = verify(logged)  # its head goes to the anchor file
    rewrite_history(logged, 8, audit_key.load_key())
    result = verify(logged)
    assert not result.intact and result.broken_seq == before.head_seq and "recorded for it earlier" in result.reason


def test_verify_chain_with_an_anchor_detects_a_given_anchor_disagreeing(logged):
    before = verify(logged)
    audit_key.get_settings().audit_anchor_file.unlink()
    rewrite_history(logged, 8, audit_key.load_key())
    assert verify(logged).intact  # a rewrite with the key agrees with itself: anchors are what catch it
    with db.transaction(logged, snapshot=True) as s:
        result = access.verify_audit_log(s, "auditor", anchors={before.head_seq: before.head_hash})
    assert not result.intact and result.broken_seq == before.head_seq and "recorded for it earlier" in result.reason


def test_verify_chain_with_an_anchor_detects_a_log_put_back_to_an_older_head(logged):
    # A copy of the sealed head kept from earlier is put back after cutting the entries since.
    with db.transaction(logged) as s:
        old = s.get(audit.AuditHead, 1)
        kept = (old.seq, old.hash, old.seal)
    with db.transaction(logged) as s:
        cases.open_case(s, "licensing.officer", domain=Domain.FIREARMS, kind="renewal", details={}, purpose=PURPOSE)
    grown = verify(logged)
    drop_append_only_triggers(logged)
    execute_raw(logged, f"DELETE FROM audit_entry WHERE seq > {kept[0]}",
                f"UPDATE audit_head SET seq = {kept[0]}, hash = '{kept[1]}', seal = '{kept[2]}'")
    result = verify(logged)
    assert not result.intact and result.broken_seq == kept[0] + 1 and f"entry {grown.head_seq}" in result.reason


def test_verify_chain_records_an_intact_head_in_the_anchor_file_outside_peel_home(logged, peel_home):
    result = verify(logged)
    assert audit_key.read_anchors() == {result.head_seq: result.head_hash}
    anchor_file = audit_key.get_settings().audit_anchor_file
    assert anchor_file.parent == peel_home.parent and anchor_file.stat().st_mode & 0o777 == 0o600
