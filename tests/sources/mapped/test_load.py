"""Loading a person extract as one batch, from Python and from `peel ingest mapped`."""

from __future__ import annotations

import pytest
from tests.sources.mapped.extracts import CUSTODY_HEADER, write

from peel.sources.mapped import MAPPINGS_DIR, load_mapped
from peel.warehouse import connect


def test_load_mapped_leaves_nothing_when_a_load_fails(con, tmp_path, monkeypatch):
    from peel.sources.mapped import write as writing

    extract = write(
        tmp_path / "custody.csv",
        f"""
        {CUSTODY_HEADER}
        CU1,A1,,Smith,Jo,,01/02/1990,Female,"1 High Street, Ashworth, CK1 1AA",,01/02/2026
        """,
    )

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writing, "write_events_objects_links", fail)
    with pytest.raises(RuntimeError):
        load_mapped(con, extract, MAPPINGS_DIR / "demo_custody.yaml")
    for table in ("person_record", "pole_link", "ingest_batch", "quarantine"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table


def test_ingest_mapped_command_loads_a_file_and_reports_counts_without_personal_data(
    peel_home, tmp_path
):
    from typer.testing import CliRunner

    from peel.cli import app

    extract = write(
        tmp_path / "custody.csv",
        f"""
        {CUSTODY_HEADER}
        CU1,A1,,Smith,Jo,,01/02/1990,Female,"1 High Street, Ashworth, CK1 1AA",,01/02/2026
        ,A2,,Brown,Al,,01/02/1990,Male,,,01/02/2026
        """,
    )
    result = CliRunner().invoke(
        app,
        ["ingest", "mapped", str(extract), "--mapping", str(MAPPINGS_DIR / "demo_custody.yaml")],
    )
    assert result.exit_code == 0, result.output
    assert "2 rows read, 1 loaded, 1 quarantined" in result.output
    assert "Smith" not in result.output and "Brown" not in result.output
    con = connect(read_only=True)
    assert con.execute("SELECT count(*) FROM person_record").fetchone()[0] == 1
    con.close()


def test_ingest_mapped_command_names_the_missing_column(peel_home, tmp_path):
    from typer.testing import CliRunner

    from peel.cli import app

    extract = write(tmp_path / "custody.csv", "CustodyNo,Surname\nCU1,Smith\n")
    result = CliRunner().invoke(
        app, ["ingest", "mapped", str(extract), "-m", str(MAPPINGS_DIR / "demo_custody.yaml")]
    )
    assert result.exit_code == 1
    assert "peel ingest mapped failed" in result.output
    assert "'ArrestRef'" in result.output and "custody.csv" in result.output
