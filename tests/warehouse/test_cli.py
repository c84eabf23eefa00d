"""peel status and peel quarantine: what is loaded, what a load refused."""

import shutil

import typer
from tests.warehouse.holder import warehouse_held_open
from typer.testing import CliRunner

from peel.settings import get_settings
from peel.warehouse import connect, database
from peel.warehouse.cli import register

# The warehouse commands on their own root, as peel.cli registers them.
app = typer.Typer()
app.callback()(lambda: None)
register(app)


def test_status_and_quarantine_say_the_warehouse_is_in_use(peel_home):
    connect().close()
    with warehouse_held_open(get_settings().warehouse_path):
        results = [CliRunner().invoke(app, [command]) for command in ("status", "quarantine")]
    for result in results:
        assert result.exit_code == 2, result.output
        assert "is in use by another process" in " ".join(result.output.split())
        assert "Traceback" not in result.output


def test_status_says_a_changed_schema_file_must_be_restored(peel_home, tmp_path, monkeypatch):
    schema = tmp_path / "schema"
    shutil.copytree(database.SCHEMA_DIR, schema)
    monkeypatch.setattr(database, "SCHEMA_DIR", schema)
    connect().close()
    (schema / "010_core.sql").write_text("-- edited\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 2, result.output
    assert "has changed since it was applied" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_status_and_quarantine_without_a_warehouse_say_load_data_first(peel_home):
    for command in ("status", "quarantine"):
        result = CliRunner().invoke(app, [command])
        assert result.exit_code == 2, result.output
        assert "Load data first" in " ".join(result.output.split())
    assert not get_settings().warehouse_path.exists(), "looking must not create a warehouse"


def test_quarantine_lists_the_latest_load_first(peel_home):
    con = connect()
    con.executemany(
        "INSERT INTO quarantine VALUES (?, 'test', ?, 2, 'why', 'raw')",
        [[1, "old.csv"], [2, "new.csv"]],
    )
    con.close()
    result = CliRunner().invoke(app, ["quarantine", "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert "new.csv" in result.output and "old.csv" not in result.output


def test_status_counts_every_table_loads_write(peel_home):
    connect().close()
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    for table in ("crime", "person_record", "event", "object", "pole_link", "quarantine"):
        assert f"{table}: 0 rows" in result.output


def test_quarantine_refuses_a_limit_below_one_with_a_message(peel_home):
    connect().close()
    result = CliRunner().invoke(app, ["quarantine", "--limit", "-1"])
    assert result.exit_code == 2
    assert (
        "Invalid value for '--limit': Input should be greater than or equal to 1" in result.output
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)
