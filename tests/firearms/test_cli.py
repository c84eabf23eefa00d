"""``peel firearms load``: a licensing officer, signed in, with a purpose, loads the licensing
system's extracts; the collection is logged; a bad row refuses the file, naming file and line."""

import json

import pytest
from typer.testing import CliRunner

from peel.casebook import db
from peel.casebook.audit import AuditFilter, select_entries
from peel.cli import app
from peel.firearms.extract import EXTRACTS
from peel.warehouse import connect, open_batch, open_writer

from .conftest import OFFICER, PURPOSE
from .test_extract import GOOD, HOLDER_MAPPING, HOLDERS, MAPPING
from .test_extract_kinds import MAPPINGS


@pytest.fixture
def register(staff, tmp_path, log_in):
    """A warehouse with holder H1 on the register, the certificates' mapping, and the
    licensing officer signed in."""
    with open_writer() as con, open_batch(con, "licensing") as batch:
        con.execute("INSERT INTO firearms_holder VALUES ('H1', 'licensing:H1', DATE '2010-01-01', 'licensing', ?)",
                    [batch.batch_id])
    (tmp_path / "certs.yaml").write_text(MAPPING)
    log_in(OFFICER)
    return tmp_path


def load(folder, text: str):
    (folder / "certs.csv").write_text(text)
    return CliRunner().invoke(app, ["firearms", "load", "certificate", str(folder / "certs.csv"), "-m",
                                    str(folder / "certs.yaml"), "--purpose", PURPOSE])


def collections() -> list:
    with db.transaction(readonly=True) as session:
        return [e for e in select_entries(session, AuditFilter(actor=OFFICER)) if e.operation == "collection"]


def test_load_signed_in_with_a_purpose_loads_and_logs_the_collection(register):
    result = load(register, GOOD)
    assert result.exit_code == 0, result.output
    assert "Loaded 2 certificate rows" in result.output
    con = connect(read_only=True)
    assert con.execute("SELECT certificate_ref FROM firearms_certificate ORDER BY 1").fetchall() == [("C1",), ("C2",)]
    con.close()
    [entry] = collections()  # the audit log's collection entry, with its purpose and count
    detail = json.loads(entry.detail)
    assert (entry.purpose, entry.object_type, detail["rows_loaded"], detail["domain"]) == (
        PURPOSE, "firearms_certificate", 2, "firearms")


def test_load_bad_row_names_file_and_line_and_writes_nothing(register):
    result = load(register, GOOD + "C3,H1,firearm,01/01/2022,01/01/2021\n")
    assert result.exit_code == 1
    assert "certs.csv, line 4: the expiry date is not after the issue date" in " ".join(result.output.split())
    con = connect(read_only=True)
    assert con.execute("SELECT count(*) FROM firearms_certificate").fetchone()[0] == 0
    con.close()
    assert collections() == []


def test_load_holders_signed_in_loads_the_register_and_logs_the_collection(register):
    (register / "holders.csv").write_text(HOLDERS)
    (register / "holders.yaml").write_text(HOLDER_MAPPING)
    result = CliRunner().invoke(app, ["firearms", "load", "holder", str(register / "holders.csv"), "-m",
                                      str(register / "holders.yaml"), "--purpose", PURPOSE])
    assert result.exit_code == 0, result.output
    assert "Loaded 2 holder rows" in result.output
    con = connect(read_only=True)
    assert con.execute("SELECT holder_ref FROM firearms_holder ORDER BY 1").fetchall() == [("H1",), ("H7",), ("H8",)]
    con.close()
    [entry] = collections()
    assert (entry.purpose, entry.object_type, json.loads(entry.detail)["rows_loaded"]) == (
        PURPOSE, "firearms_holder", 2)


def test_load_mailbox_signed_in_loads_and_logs_the_collection(register):
    (register / "mail.csv").write_text("MessageId,Received,Cleared,Category\nM1,02/03/2026,,referee\n"
                                       "M2,03/03/2026,04/03/2026,other\n")
    result = CliRunner().invoke(app, ["firearms", "load", "mail", str(register / "mail.csv"), "-m",
                                      str(MAPPINGS / "licensing_mailbox.yaml"), "--purpose", PURPOSE])
    assert result.exit_code == 0, result.output
    assert "Loaded 2 mail rows" in result.output
    [entry] = collections()
    assert (entry.purpose, entry.object_type, json.loads(entry.detail)["rows_loaded"]) == (PURPOSE, "firearms_mail", 2)


def test_load_help_names_every_kind_of_extract():
    result = CliRunner().invoke(app, ["firearms", "load", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert all(kind in result.output for kind in EXTRACTS)
