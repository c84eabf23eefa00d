import duckdb
import pytest
from tests.warehouse.holder import warehouse_held_open

from peel.settings import get_settings
from peel.warehouse import WarehouseBusy, clear_quarantine, connect, open_batch
from peel.warehouse.database import _schema_files


def test_connect_creates_the_schema_once(peel_home):
    con = connect()
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"ingest_batch", "quarantine", "area", "crime", "outcome", "arrest"} <= tables
    con.close()
    con = connect()
    applied = con.execute("SELECT count(*) FROM schema_migration").fetchone()[0]
    assert applied == len(_schema_files())


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
