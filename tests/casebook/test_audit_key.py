"""The audit chain's key: kept out of the database, created owner-only, needed to extend and to
verify; an existing casebook's log keyed from the upgrade on; and on PostgreSQL, an application
role that can append to the log but neither change it nor switch off its guards."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from peel.casebook import access, audit, audit_key, cases, db
from peel.casebook.errors import CasebookUnavailable
from peel.casebook.roles import Domain

from .conftest import (
    add_staff,
    count_rows,
    drop_append_only_triggers,
    execute_raw,
    postgres_base_url,
    rechain,
)

PURPOSE = "renewal application checks"


def verify(url: str) -> audit.Verification:
    with db.transaction(url, snapshot=True) as s:
        return access.verify_audit_log(s, "auditor")


def test_load_key_creates_an_owner_only_key_file_with_the_casebook(casebook_url, peel_home):
    db.get_engine(casebook_url)
    key_file = peel_home / "audit-key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert audit_key.load_key() == bytes.fromhex(key_file.read_text())
    with db.transaction(casebook_url) as s:
        stored = " ".join(str(v) for v in s.execute(text("SELECT * FROM audit_head")).one())
    assert key_file.read_text().strip() not in stored


def test_load_key_refuses_when_the_key_file_is_lost(casebook_url, peel_home):
    db.get_engine(casebook_url)
    (peel_home / "audit-key").unlink()
    audit_key.forget_keys()
    with pytest.raises(CasebookUnavailable, match="audit-key is missing.*Restore it"):
        add_staff(casebook_url, "admin", "administrator", acting=None)


def test_load_key_refuses_a_malformed_environment_key(monkeypatch):
    monkeypatch.setenv("PEEL_AUDIT_KEY", "not hex")
    with pytest.raises(CasebookUnavailable, match="PEEL_AUDIT_KEY does not hold an audit key: expected 64"):
        audit_key.load_key()


def test_append_entry_refuses_a_key_other_than_the_logs(staff, casebook_url, monkeypatch):
    monkeypatch.setenv("PEEL_AUDIT_KEY", "cd" * audit_key.KEY_BYTES)
    audit_key.forget_keys()
    with (pytest.raises(CasebookUnavailable, match="not the one this casebook's log was written with"),
          db.transaction(casebook_url) as s):
        cases.open_case(s, "licensing.officer", domain=Domain.FIREARMS, kind="renewal", details={},
                        purpose=PURPOSE)


def test_append_entry_anchors_every_thousandth_entry_once_committed(staff, casebook_url, monkeypatch):
    monkeypatch.setattr(audit, "ANCHOR_EVERY", 5)
    before = count_rows(casebook_url, "audit_entry")
    for _ in range(6):
        with db.transaction(casebook_url) as s:
            cases.open_case(s, "licensing.officer", domain=Domain.FIREARMS, kind="renewal", details={},
                            purpose=PURPOSE)
    with db.transaction(casebook_url) as s:
        head = s.get(audit.AuditHead, 1)
        expected = {seq: s.get(audit.AuditEntry, seq).hash
                    for seq in range(before + 1, head.seq + 1) if seq % 5 == 0}
    assert audit_key.read_anchors() == expected != {}


# ---- a casebook from before the key ------------------------------------------------------


def migrate_to(url: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    engine = db.create_casebook_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def write_unkeyed_entries(url: str, count: int) -> str:
    """Entries as peel wrote them before 0004 (plain SHA-256), straight into a 0003 casebook."""
    engine = db.create_casebook_engine(url)
    previous = audit.GENESIS_HASH
    with engine.begin() as connection:
        for seq in range(1, count + 1):
            entry = audit.AuditEntry(seq=seq, occurred_at="2026-01-01T00:00:00.000000Z", actor="a.khan",
                                     role="licensing_officer", operation="consultation", object_type="case",
                                     object_id=str(seq), subject_ref=None, purpose=PURPOSE, detail="{}",
                                     prev_hash=previous)
            entry.hash = previous = audit.compute_hash(entry, None)
            row = {name: getattr(entry, name) for name in (*audit.HASHED_FIELDS, "hash")}
            connection.execute(text(f"INSERT INTO audit_entry ({', '.join(row)}) VALUES "
                                    f"({', '.join(':' + name for name in row)})"), row)
        connection.execute(text("UPDATE audit_head SET seq = :seq, hash = :hash"), {"seq": count, "hash": previous})
    engine.dispose()
    return previous


@pytest.fixture
def upgraded(casebook_url) -> str:
    """A casebook of 6 unkeyed entries, upgraded to the keyed chain, then used as today."""
    migrate_to(casebook_url, "0003")
    write_unkeyed_entries(casebook_url, 6)
    db.get_engine(casebook_url)  # upgrades to the latest revision
    add_staff(casebook_url, "admin", "administrator", acting=None)
    add_staff(casebook_url, "auditor", "auditor")
    return casebook_url


def test_migration_keys_the_chain_from_the_first_entry_after_the_upgrade(upgraded):
    with db.transaction(upgraded) as s:
        head = s.get(audit.AuditHead, 1)
        seventh = s.get(audit.AuditEntry, 7)
        assert head.keyed_from == 7
        assert seventh.hash == audit.compute_hash(seventh, audit_key.load_key())
    assert verify(upgraded).intact
    assert 6 in audit_key.read_anchors()  # the unkeyed history as it stood, on record


def test_verify_chain_detects_an_unkeyed_entry_rewritten_after_the_upgrade(upgraded):
    # Caught by the chain itself, even without the anchor the upgrade recorded at entry 6.
    audit_key.get_settings().audit_anchor_file.unlink()
    drop_append_only_triggers(upgraded)
    with db.transaction(upgraded) as s:
        s.get(audit.AuditEntry, 3).purpose = "a different reason"
        rechain(s, 3, None, end=6)  # every unkeyed hash recomputed: the first keyed entry still disagrees
    result = verify(upgraded)
    assert not result.intact and result.broken_seq == 7 and "previous-hash" in result.reason


def test_verify_chain_detects_keyed_from_moved_to_pass_off_plain_hashes(upgraded):
    drop_append_only_triggers(upgraded)
    with db.transaction(upgraded) as s:
        head = s.get(audit.AuditHead, 1)
        head.keyed_from = head.seq + 1
        head.hash = rechain(s, 7, None)
    result = verify(upgraded)
    assert not result.intact and "not sealed" in result.reason


# ---- PostgreSQL: the owner migrates, the application only appends -------------------------


@pytest.fixture
def application_role(casebook_url):
    """A login role without ownership or superuser rights, granted what docs/casebook.md says
    the application gets; yields its URL into the same schema."""
    if not casebook_url.startswith("postgresql"):
        pytest.skip("database roles are PostgreSQL's")
    db.get_engine(casebook_url)  # the owner (the test server's role) migrates
    add_staff(casebook_url, "admin", "administrator", acting=None)
    schema = casebook_url.rsplit("%3D", 1)[1]
    role = f"peel_app_{uuid.uuid4().hex[:8]}"
    owner = create_engine(postgres_base_url())
    with owner.begin() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'app'"))
        connection.execute(text(f"SET search_path TO {schema}"))
        for statement in application_grants(role, schema):
            connection.execute(text(statement))
    url = casebook_url.replace("//peel:peel@", f"//{role}:app@")
    try:
        yield url
    finally:
        db.dispose_engines()
        with owner.begin() as connection:
            connection.execute(text(f"DROP OWNED BY {role}"))
            connection.execute(text(f"DROP ROLE {role}"))
        owner.dispose()


def application_grants(role: str, schema: str) -> list[str]:
    """The grants docs/casebook.md lists for the application's role, verbatim but for the names."""
    doc = (db.MIGRATIONS_DIR.parents[3] / "docs" / "casebook.md").read_text()
    block = doc.split("<!-- application-role-grants -->")[1].split("```sql")[1].split("```")[0]
    return [line.replace("peel_app", role).replace("peel_schema", schema).rstrip(";")
            for line in block.strip().splitlines() if line and not line.startswith("--")]


@pytest.mark.postgres
def test_application_role_appends_but_cannot_change_the_log_or_its_triggers(application_role):
    before = count_rows(application_role, "audit_entry")
    add_staff(application_role, "licensing.officer", "licensing_officer")
    assert count_rows(application_role, "audit_entry") == before + 1
    for statement in ("UPDATE audit_entry SET purpose = 'x' WHERE seq = 1",
                      "DELETE FROM audit_entry WHERE seq = 1",
                      "TRUNCATE audit_entry",
                      "ALTER TABLE audit_entry DISABLE TRIGGER ALL",
                      "DROP TRIGGER audit_entry_append_only ON audit_entry"):
        with pytest.raises(DBAPIError, match="permission denied|must be owner|append-only"):
            execute_raw(application_role, statement)
    assert count_rows(application_role, "audit_entry") == before + 1


def test_audit_anchor_path_is_one_file_per_casebook_folder_outside_it(tmp_path, monkeypatch):
    # Two casebooks (a copy made for a test server, a second installation) never append to one
    # anchor file: an anchor of one would read as history rewritten in the other.
    monkeypatch.delenv("PEEL_AUDIT_ANCHOR_FILE", raising=False)
    settings = audit_key.get_settings()
    first = settings.audit_anchor_path(f"sqlite:///{tmp_path / 'one' / 'casebook.sqlite'}")
    second = settings.audit_anchor_path(f"sqlite:///{tmp_path / 'two' / 'casebook.sqlite'}")
    assert first == tmp_path / "one.audit-anchors" and second == tmp_path / "two.audit-anchors"
    monkeypatch.setenv("PEEL_AUDIT_ANCHOR_FILE", str(tmp_path / "chosen"))
    chosen = audit_key.get_settings().audit_anchor_path(f"sqlite:///{tmp_path / 'one' / 'casebook.sqlite'}")
    assert chosen == tmp_path / "chosen"
