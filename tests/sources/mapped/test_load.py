"""Loading a person extract as one batch, from Python and from `peel ingest mapped`."""

from __future__ import annotations

import json

import pytest
from tests.conftest import JOB_PURPOSE
from tests.sources.mapped.extracts import CUSTODY_HEADER, write, write_mapping

from peel.casebook import db
from peel.casebook.models import AuditEntry
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
    peel_home, tmp_path, service_job
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
        ["ingest", "mapped", str(extract), "--mapping", str(MAPPINGS_DIR / "demo_custody.yaml"), *JOB_PURPOSE],
    )
    assert result.exit_code == 0, result.output
    assert "2 rows read, 1 loaded, 1 quarantined" in result.output
    assert "Smith" not in result.output and "Brown" not in result.output
    con = connect(read_only=True)
    assert con.execute("SELECT count(*) FROM person_record").fetchone()[0] == 1
    con.close()
    # A collection of personal data (DPA 2018 s62): who, why, and the batch it loaded.
    with db.transaction(readonly=True) as session:
        logged = session.query(AuditEntry).order_by(AuditEntry.seq.desc()).first()
        assert (logged.actor, logged.operation, logged.purpose) == (service_job, "collection", JOB_PURPOSE[1])
        assert json.loads(logged.detail) | {"file": None} == {
            "domain": "linkage", "batch_id": 1, "source_system": "demo_custody", "rows_loaded": 1,
            "file": None, "snapshot": False}


def test_ingest_mapped_command_names_the_missing_column(peel_home, tmp_path, service_job):
    from typer.testing import CliRunner

    from peel.cli import app

    extract = write(tmp_path / "custody.csv", "CustodyNo,Surname\nCU1,Smith\n")
    result = CliRunner().invoke(
        app, ["ingest", "mapped", str(extract), "-m", str(MAPPINGS_DIR / "demo_custody.yaml"), *JOB_PURPOSE]
    )
    assert result.exit_code == 1
    assert "peel ingest mapped failed" in result.output
    assert "'ArrestRef'" in result.output and "custody.csv" in result.output


def test_ingest_mapped_command_reads_columns_named_with_spaces_and_quotes(peel_home, tmp_path, service_job):
    # Column names go into SQL quoted by one helper: a space or a quote is a name like any
    # other. The same mapping can name columns to compare exactly when linking (exact:),
    # which loading does not need.
    from typer.testing import CliRunner

    from peel.cli import app

    header = '"O\'Brien ""id""",last name,soc sec,born on'
    extract = write(tmp_path / "odd.csv", f"{header}\nX1,Smith,123,01/02/1990\nX2,O'Neill,456,\n")
    mapping = write_mapping(
        tmp_path,
        """
        source_system: odd_names
        record_id: 'O''Brien "id"'
        role: subject
        date_formats: ["%d/%m/%Y"]
        person: {surname: last name, date_of_birth: born on}
        exact: ['soc sec']
        """,
    )
    result = CliRunner().invoke(app, ["ingest", "mapped", str(extract), "-m", str(mapping), *JOB_PURPOSE])
    assert result.exit_code == 0, result.output
    assert "2 rows read, 2 loaded, 0 quarantined" in result.output
    con = connect(read_only=True)
    rows = con.execute(
        "SELECT record_key, surname, date_of_birth::VARCHAR FROM person_record ORDER BY 1"
    ).fetchall()
    con.close()
    assert rows == [("odd_names:X1", "SMITH", "1990-02-01"), ("odd_names:X2", "O'NEILL", None)]
