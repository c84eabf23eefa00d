import hashlib
import shutil
from datetime import datetime

import duckdb
import pytest
from tests.warehouse.holder import warehouse_held_open

from peel.settings import get_settings
from peel.warehouse import (
    SchemaFileChanged,
    WarehouseBusy,
    WarehouseError,
    clear_quarantine,
    connect,
    database,
    open_batch,
)
from peel.warehouse.database import schema_files

# The schema folder peel ships, before any test points ``connect`` at a copy.
PACKAGED_SCHEMA = database.SCHEMA_DIR


def test_connect_creates_the_schema_once(peel_home):
    con = connect()
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"ingest_batch", "quarantine", "area", "crime", "outcome", "arrest"} <= tables
    con.close()
    con = connect()
    applied = con.execute("SELECT count(*) FROM schema_migration").fetchone()[0]
    assert applied == len(schema_files())


@pytest.mark.parametrize("read_only", [False, True])
def test_connect_says_the_warehouse_is_in_use_when_another_process_holds_it(peel_home, read_only):
    path = get_settings().warehouse_path
    connect().close()
    with warehouse_held_open(path), pytest.raises(WarehouseBusy) as caught:
        connect(read_only=read_only)
    message = str(caught.value)
    assert f"The warehouse {path} is in use by another process (PID " in message
    assert "try again" in message and "IO Error" not in message
    assert isinstance(caught.value, duckdb.Error), "handlers of DuckDB errors still catch it"


def test_open_batch_rolls_back_everything_on_error(peel_home):
    con = connect()
    with pytest.raises(RuntimeError), open_batch(con, "test") as batch:
        con.execute(
            "INSERT INTO area (area_code, area_name, level, source_system, batch_id) VALUES ('a','A','force','test',?)",
            [batch.batch_id],
        )
        raise RuntimeError("boom")
    assert con.execute("SELECT count(*) FROM area").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM ingest_batch").fetchone()[0] == 0


def test_open_batch_commits_rows_with_their_batch(peel_home):
    con = connect()
    with open_batch(con, "test", files=["f.csv"]) as batch:
        con.execute(
            "INSERT INTO area (area_code, area_name, level, source_system, batch_id) VALUES ('a','A','force','test',?)",
            [batch.batch_id],
        )
        batch.rows_loaded = 1
    row = con.execute("SELECT a.batch_id = b.batch_id, b.rows_loaded FROM area a, ingest_batch b").fetchone()
    assert row == (True, 1)


def test_clear_quarantine_matches_a_file_by_its_own_name_within_its_source(peel_home):
    con = connect()
    rows = [
        ("police_uk", "download.zip:2021-01/2021-01-x-street.csv"),
        ("police_uk", "2021-02-x-street.csv"),
        ("demo_custody", "extracts/2021-01-x-street.csv"),
    ]
    con.executemany(
        "INSERT INTO quarantine VALUES (1, ?, ?, 2, 'why', 'raw')", [list(r) for r in rows]
    )
    clear_quarantine(con, "police_uk", ["folder/2021-01/2021-01-x-street.csv"])
    left = con.execute("SELECT source_system, file FROM quarantine ORDER BY file").fetchall()
    assert left == [rows[1], rows[2]]
    clear_quarantine(con, "police_uk")
    assert con.execute("SELECT source_system FROM quarantine").fetchall() == [("demo_custody",)]


def test_docs_show_every_schema_file_as_it_is():
    from peel.docgen import get_section
    from peel.warehouse.docs import DOC, SECTION, render_schema_markdown

    assert get_section(DOC.read_text(encoding="utf-8"), SECTION) == render_schema_markdown().strip(), (
        "docs/warehouse.md is out of date: run python -m peel.warehouse.docs"
    )


@pytest.fixture
def schema_copy(tmp_path, monkeypatch):
    """A copy of the schema folder that ``connect`` applies, for a test to cut down or edit."""
    folder = tmp_path / "schema"
    shutil.copytree(database.SCHEMA_DIR, folder)
    monkeypatch.setattr(database, "SCHEMA_DIR", folder)
    return folder


def applied_checksums(con) -> dict[str, str]:
    return dict(con.execute("SELECT name, checksum FROM schema_migration").fetchall())


def test_connect_records_the_checksum_of_each_schema_file_applied(peel_home):
    con = connect()
    recorded = applied_checksums(con)
    con.close()
    files = sorted(database.SCHEMA_DIR.iterdir(), key=lambda p: p.name)
    assert recorded == {p.name: hashlib.sha256(p.read_text(encoding="utf-8").encode()).hexdigest()
                        for p in files if p.name.endswith(".sql")}


def test_connect_migrates_a_warehouse_with_an_older_schema_forward(peel_home, tmp_path, monkeypatch):
    every = schema_files()
    older = tmp_path / "older"
    older.mkdir()
    for file in every[:2]:
        (older / file.name).write_text(file.sql, encoding="utf-8")
    monkeypatch.setattr(database, "SCHEMA_DIR", older)
    con = connect()  # a warehouse as the first two schema files made it
    assert list(applied_checksums(con)) == [f.name for f in every[:2]]
    con.close()

    monkeypatch.setattr(database, "SCHEMA_DIR", PACKAGED_SCHEMA)
    con = connect()
    recorded = applied_checksums(con)
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    con.close()
    assert recorded == {f.name: f.checksum for f in every}
    assert {"crime", "person_record", "linkage_run"} <= tables


def test_connect_migrates_a_warehouse_made_before_checksums_were_kept(peel_home, schema_copy):
    files = schema_files(schema_copy)
    path = get_settings().warehouse_path
    path.parent.mkdir(parents=True)
    old = duckdb.connect(str(path))  # as the migration before checksums left a warehouse
    old.execute("CREATE TABLE schema_migration (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
    for file in files[:3]:
        old.execute(file.sql)
        old.execute("INSERT INTO schema_migration VALUES (?, ?)", [file.name, datetime.now()])
    old.close()

    con = connect()
    recorded = applied_checksums(con)
    con.close()
    assert recorded == {f.name: f.checksum for f in files}


def test_connect_refuses_a_warehouse_whose_applied_schema_file_has_changed(peel_home, schema_copy):
    connect().close()
    edited = schema_copy / "020_events.sql"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nALTER TABLE crime ADD COLUMN x INT;\n",
                      encoding="utf-8")
    for read_only in (False, True):
        with pytest.raises(SchemaFileChanged) as caught:
            connect(read_only=read_only)
        message = str(caught.value)
        assert f"{edited} has changed since it was applied" in message
        last = max(int(path.name[:3]) for path in schema_copy.glob("*.sql"))
        assert "restore it" in message and f"{last + 10:03d}_what_it_changes.sql" in message
        assert isinstance(caught.value, WarehouseError) and isinstance(caught.value, duckdb.Error)
    # Refused before anything was applied; with the file restored it opens as before.
    shutil.copy(PACKAGED_SCHEMA / "020_events.sql", edited)
    con = connect()
    assert "x" not in {r[0] for r in con.execute("DESCRIBE crime").fetchall()}
    con.close()


def test_connect_refuses_a_warehouse_built_with_a_schema_file_that_is_gone(peel_home, schema_copy):
    connect().close()
    (schema_copy / "040_linkage.sql").unlink()
    with pytest.raises(SchemaFileChanged, match="schema file 040_linkage.sql, which is not in"):
        connect()


def test_connect_applies_a_new_schema_file_and_records_it(peel_home, schema_copy):
    connect().close()
    (schema_copy / "050_note.sql").write_text("CREATE TABLE note (text VARCHAR);\n", encoding="utf-8")
    con = connect()
    assert "050_note.sql" in applied_checksums(con)
    assert con.execute("SELECT count(*) FROM note").fetchone()[0] == 0
    con.close()


@pytest.mark.parametrize("read_only", [False, True])
def test_connect_leaves_no_result_open_that_would_block_a_relation(peel_home, read_only):
    connect().close()
    con = connect(read_only=read_only)
    assert con.sql("SELECT count(*) AS n FROM schema_migration").to_arrow_table()["n"][0].as_py() > 0
    con.close()
