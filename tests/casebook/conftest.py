"""Casebook fixtures: every test runs once on a SQLite file and once on the real PostgreSQL
server that scripts/test.sh starts (each test in a schema of its own, dropped afterwards)."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, text

from peel.casebook import db, users
from peel.casebook.models import AuditEntry
from peel.casebook.roles import load_roles

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
# Test staff sign in through an identity provider, so no test waits on argon2 hashing
# except the ones about local passwords.
TEST_IDP = "https://sso.force.test"


def postgres_base_url() -> str:
    url = os.environ.get("PEEL_TEST_POSTGRES_URL")
    if url:
        return url
    message = ("PEEL_TEST_POSTGRES_URL is not set: run the suite through `make test` or "
               "`bash scripts/test.sh tests/casebook`, which start PostgreSQL.")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(params=BACKENDS)
def casebook_url(request, peel_home, monkeypatch):
    """The URL of an empty casebook on each backend, also set as PEEL_CASEBOOK_URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{peel_home / 'casebook.sqlite'}"
        monkeypatch.setenv("PEEL_CASEBOOK_URL", url)
        yield url
        db.dispose_engines()
        return
    base = postgres_base_url()
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{base}?options=-csearch_path%3D{schema}"
    monkeypatch.setenv("PEEL_CASEBOOK_URL", url)
    try:
        yield url
    finally:
        db.dispose_engines()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def add_staff(url: str, username: str, role: str, acting: str | None = "admin") -> None:
    """Add a single-sign-on account (no password to hash)."""
    with db.transaction(url) as session:
        users.add_user(session, username, role, acting=acting, identity_provider=TEST_IDP,
                       external_subject=f"sub-{username}")


@pytest.fixture
def staff(casebook_url) -> dict[str, str]:
    """One user per role, named after it (plus 'admin' who added them); role -> username."""
    add_staff(casebook_url, "admin", "administrator", acting=None)
    names = {"administrator": "admin"}
    for role in load_roles():
        if role != "administrator":
            add_staff(casebook_url, role.replace("_", "."), role)
            names[role] = role.replace("_", ".")
    return names


def count_rows(url: str, table: str) -> int:
    with db.transaction(url) as session:
        return session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def audit_entries(url: str, after: int = 0) -> list[AuditEntry]:
    """The audit log's entries after entry number ``after``, oldest first."""
    with db.transaction(url) as session:
        return list(session.query(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq))


def refusal(entry: AuditEntry) -> dict:
    """What a refusal entry says: who (as named) with which role, asked to do what, on what
    and why, and the kind of refusal."""
    detail = json.loads(entry.detail)
    assert entry.operation == "refusal", entry.operation
    return {"actor": entry.actor, "role": entry.role, "action": detail["action"],
            "domain": detail["domain"], "object_type": entry.object_type, "object_id": entry.object_id,
            "purpose": entry.purpose, "refusal": detail["refusal"]}


def execute_raw(url: str, *statements: str) -> None:
    """Run SQL straight at the database, as someone bypassing peel would."""
    engine = db.get_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def rechain(session, start: int, key: bytes | None, end: int | None = None) -> str:
    """Recompute the hashes of entries ``start`` to ``end`` (to the last when None) under ``key``
    (None: plain SHA-256, all a forger without the key can compute), each linked to the one
    before, as a forger rewriting the log would; return the last hash."""
    from peel.casebook import audit

    query = session.query(AuditEntry).filter(AuditEntry.seq >= start)
    if end is not None:
        query = query.filter(AuditEntry.seq <= end)
    previous = session.get(AuditEntry, start - 1).hash if start > 1 else audit.GENESIS_HASH
    for entry in query.order_by(AuditEntry.seq):
        entry.prev_hash = previous
        entry.hash = previous = audit.compute_hash(entry, key)
    return previous


def drop_append_only_triggers(url: str) -> None:
    """What an attacker with database rights does first: remove the append-only guard."""
    if url.startswith("sqlite"):
        execute_raw(url, "DROP TRIGGER audit_entry_no_update", "DROP TRIGGER audit_entry_no_delete")
    else:
        execute_raw(url, "DROP TRIGGER audit_entry_append_only ON audit_entry")


@contextmanager
def statements_sent(url: str) -> Iterator[list[str]]:
    """Collect the SQL statements sent to the database meanwhile, to check what was read."""
    sent: list[str] = []
    engine = db.get_engine(url)

    def collect(_connection, _cursor, statement, *_args) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", collect)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", collect)


@pytest.fixture
def short_busy_timeout(monkeypatch):
    """SQLite writers give up after a tenth of a second, so a test that waits on a lock fails fast."""
    db.dispose_engines()
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_SECONDS", 0.1)


@contextmanager
def another_writer_holds_the_lock(url: str) -> Iterator[None]:
    """Hold a SQLite casebook's write lock from another connection meanwhile."""
    if not url.startswith("sqlite"):
        pytest.skip("only SQLite makes a writer wait for another")
    other_writer = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
