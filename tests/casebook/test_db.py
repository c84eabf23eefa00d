"""Opening the casebook: migrations on first use, SQLite in WAL mode, clear URL errors."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from peel.casebook import db
from peel.casebook.errors import CasebookUnavailable

from .conftest import add_staff, another_writer_holds_the_lock, count_rows


def test_get_engine_migrates_an_empty_database_to_the_latest_revision(casebook_url):
    engine = db.get_engine(casebook_url)
    tables = set(inspect(engine).get_table_names())
    assert {"casebook_user", "case_record", "decision", "review_item", "audit_entry", "audit_head",
            "sign_in_guard", "web_session", "meeting_action", "alembic_version"} <= tables
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0004"
        assert connection.execute(text("SELECT seq FROM audit_head")).scalar_one() == 0


def test_migrate_twice_changes_nothing(casebook_url):
    engine = db.get_engine(casebook_url)
    db.migrate(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_head")).scalar_one() == 1


def test_the_default_casebook_is_a_sqlite_file_in_wal_mode_beside_the_warehouse(peel_home, monkeypatch):
    monkeypatch.delenv("PEEL_CASEBOOK_URL", raising=False)
    engine = db.get_engine()
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        files = [peel_home / "casebook.sqlite", peel_home / "casebook.sqlite-wal"]
        assert [f.stat().st_mode & 0o777 for f in files] == [0o600, 0o600]
    finally:
        db.dispose_engines()


def test_transaction_rolls_back_everything_on_error(casebook_url):
    with pytest.raises(RuntimeError), db.transaction(casebook_url) as s:
        s.execute(text("UPDATE audit_head SET seq = 99"))
        raise RuntimeError("boom")
    with db.transaction(casebook_url) as s:
        assert s.execute(text("SELECT seq FROM audit_head")).scalar_one() == 0


@pytest.mark.parametrize("url", ["mysql://somewhere/db", "postgresql://somewhere/db", "notaurl"])
def test_create_casebook_engine_refuses_other_databases(url):
    with pytest.raises(CasebookUnavailable, match="PEEL_CASEBOOK_URL .*sqlite:/// or postgresql"):
        db.create_casebook_engine(url)


def test_a_read_only_snapshot_neither_holds_up_a_writer_nor_sees_its_change(staff, casebook_url,
                                                                           short_busy_timeout):
    with db.transaction(casebook_url, snapshot=True, readonly=True) as reader:
        before = reader.execute(text("SELECT count(*) FROM audit_entry")).scalar_one()
        add_staff(casebook_url, "new.starter", "auditor")  # a writer, while the reader is open
        assert reader.execute(text("SELECT count(*) FROM audit_entry")).scalar_one() == before
    assert count_rows(casebook_url, "audit_entry") == before + 1


def test_a_read_only_transaction_refuses_a_write_and_the_next_transaction_may_write(casebook_url):
    with pytest.raises(DBAPIError, match="read-?only"), db.transaction(casebook_url, readonly=True) as s:
        s.execute(text("UPDATE audit_head SET seq = 5"))
    with db.transaction(casebook_url) as s:
        s.execute(text("UPDATE audit_head SET seq = 5"))
    assert count_rows(casebook_url, "audit_head") == 1


def test_opening_an_up_to_date_casebook_waits_for_no_writer(casebook_url, short_busy_timeout):
    db.get_engine(casebook_url)  # migrated
    db.dispose_engines()
    with another_writer_holds_the_lock(casebook_url):
        db.get_engine(casebook_url)  # would wait for the write lock, and fail, if it took it


def test_transaction_runs_the_work_left_for_afterwards_once_it_has_rolled_back(casebook_url):
    add_staff(casebook_url, "admin", "administrator", acting=None)
    with pytest.raises(RuntimeError, match="undone"), db.transaction(casebook_url) as session:
        session.execute(text("UPDATE casebook_user SET role = 'auditor'"))
        db.afterwards(session, lambda later: later.execute(
            text("UPDATE casebook_user SET external_subject = 'kept'")))
        raise RuntimeError("undone")
    with db.transaction(casebook_url) as session:
        row = session.execute(text("SELECT role, external_subject FROM casebook_user")).one()
    assert tuple(row) == ("administrator", "kept")


def test_afterwards_refuses_a_session_not_opened_by_transaction(casebook_url):
    with Session(db.get_engine(casebook_url)) as session, pytest.raises(RuntimeError, match="transaction()"):
        db.afterwards(session, lambda later: None)
