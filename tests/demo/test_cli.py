import json

import pandas as pd
import typer
from tests.warehouse.holder import warehouse_held_open
from typer.testing import CliRunner

from peel.demo.cli import register
from peel.settings import get_settings
from peel.warehouse import connect

# The demo command on its own root, as peel.cli registers it: these tests do not depend on the
# other capabilities' commands importing cleanly.
app = typer.Typer()
app.callback()(lambda: None)
register(app)


def test_demo_data_loads_the_force_and_writes_the_truth(peel_home):
    result = CliRunner().invoke(
        app,
        [
            "demo-data",
            "--size",
            "0.05",
            "--start",
            "2025-09",
            "--end",
            "2026-03",
            "--seed",
            "1",
            "--no-persons",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Demo force loaded" in result.output
    truth = json.loads((peel_home / "demo" / "truth" / "effects.json").read_text())
    assert truth["run"]["seed"] == "1"
    con = connect(read_only=True)
    assert (
        con.execute(
            "SELECT count(*) FROM crime WHERE source_system = 'demo_crime_records'"
        ).fetchone()[0]
        > 0
    )
    assert (
        con.execute("SELECT count(*) FROM arrest WHERE source_system = 'demo_custody'").fetchone()[
            0
        ]
        > 0
    )


def test_demo_data_reports_a_malformed_option_and_loads_nothing(peel_home):
    result = CliRunner().invoke(app, ["demo-data", "--start", "2025-13"])
    assert result.exit_code == 2
    assert "--start: '2025-13' is not a month: expected YYYY-MM" in result.output
    con = connect(read_only=True)
    assert con.execute("SELECT count(*) FROM ingest_batch").fetchone()[0] == 0


def test_demo_data_help_comes_from_the_docstring():
    result = CliRunner().invoke(app, ["demo-data", "--help"])
    assert result.exit_code == 0
    assert "Chalkshire Constabulary" in result.output


def test_demo_data_says_the_warehouse_is_in_use(peel_home):
    connect().close()
    with warehouse_held_open(get_settings().warehouse_path):
        result = CliRunner().invoke(app, ["demo-data", "--size", "0.05", "--no-persons"])
    assert result.exit_code == 2, result.output
    assert "is in use by another process" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_demo_persons_command_writes_and_loads_without_printing_personal_data(peel_home, tmp_path):
    out = tmp_path / "population"
    result = CliRunner().invoke(
        app, ["demo-persons", "--records", "500", "--out", str(out), "--load"]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 500 person records" in result.output
    truth = pd.read_parquet(out / "truth" / "person_records.parquet")
    persons = pd.read_parquet(out / "truth" / "persons.parquet")
    # No name of anyone in the population reaches the console.
    words = set(result.output.upper().replace(",", " ").split())
    assert not words & set(persons["surname"].str.upper())
    con = connect(read_only=True)
    loaded = con.execute("SELECT count(*) FROM person_record").fetchone()[0]
    con.close()
    assert loaded == len(truth) - int(truth["err_row_cut_short"].sum())
    assert f"Loaded {loaded:,} records" in result.output
