"""Loading the force's Clare's Law applications through the declared mapping: good rows load
in one batch and the collection is logged; an unknown person, a disclosure dated before the
application or a duplicate case refuses the file, naming the file and line, writing nothing."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from peel.casebook import db
from peel.casebook.audit import AuditFilter, select_entries
from peel.cli import app
from peel.dvds.extract import MAPPINGS, ApplicationsRefused, load_applications
from peel.warehouse import connect

MAPPING = MAPPINGS / "demo_public_protection_applications.yaml"
HEADER = ("DVDSRef,PersonRef,Route,Origin,District,FirstContact,ChecksDone,TakenOn,FaceToFace,RiskAssessed,"
          "MADecision,Outcome,Disclosed,SafetyPlan,Closed,BreachReason\n")
GOOD = [
    ("P1,demo_custody:A1,RTA,Applicant,E07000001,02/06/2025,03/06/2025,Y,09/06/2025,12/06/2025,20/06/2025,"
     "Disclose,23/06/2025,24/06/2025,24/06/2025,\n"),
    "P2,demo_custody:A2,RTK,Police,E07000001,05/06/2025,06/06/2025,N,,,,,,,06/06/2025,\n",
]
UNKNOWN_PERSON = "P3,demo_custody:Z9,RTA,Applicant,,02/06/2025,,,,,,,,,,\n"
DISCLOSED_BEFORE = ("P4,demo_custody:A1,RTK,Police,,10/06/2025,11/06/2025,Y,12/06/2025,13/06/2025,14/06/2025,"
                    "Disclose,01/06/2025,,,\n")
DUPLICATE = "P5,demo_custody:A2,RTK,Police,,05/06/2025,,,,,,,,,,\n"
WHY = "monthly public-protection extract"


@pytest.fixture
def persons(peel_home):
    """A warehouse holding two person records, demo_custody:A1 and A2."""
    peel_home.mkdir(parents=True, exist_ok=True)
    con = connect()
    con.execute("INSERT INTO person_record (record_key, source_system, source_record_id, batch_id) VALUES "
                "('demo_custody:A1', 'demo_custody', 'A1', 0), ('demo_custody:A2', 'demo_custody', 'A2', 0)")
    con.close()


def _write(tmp_path, *rows: str):
    extract = tmp_path / "applications.csv"
    extract.write_text(HEADER + "".join(rows), encoding="utf-8")
    return extract


def _rows() -> list[tuple]:
    con = connect(read_only=True)
    try:
        return con.execute("SELECT application_key, route, origin, subject_ref, became_case, decision, CAST(disclosed AS VARCHAR) "
                           "FROM dvds_application ORDER BY application_key").fetchall()
    finally:
        con.close()


def test_load_applications_refuses_bad_rows_naming_file_and_line_and_writes_nothing(persons, tmp_path):
    extract = _write(tmp_path, *GOOD, UNKNOWN_PERSON, DISCLOSED_BEFORE, DUPLICATE)
    con = connect()
    with pytest.raises(ApplicationsRefused) as refused:
        load_applications(con, extract, MAPPING)
    assert con.execute("SELECT count(*) FROM dvds_application").fetchone()[0] == 0
    con.close()
    assert [line for line, _ in refused.value.problems] == [4, 5, 6]
    message = str(refused.value)
    assert f"{extract}, line 4: no person 'demo_custody:Z9' in the warehouse" in message
    assert f"{extract}, line 5: disclosed on '2025-06-01' is before the application" in message
    assert f"{extract}, line 6: a duplicate case: the same person, route and day of first contact" in message
    assert "nothing was written" in message


def test_load_applications_refuses_a_duplicate_of_an_application_already_loaded(persons, tmp_path):
    con = connect()
    assert load_applications(con, _write(tmp_path, *GOOD), MAPPING)["rows_loaded"] == 2
    assert load_applications(con, _write(tmp_path, *GOOD), MAPPING)["rows_loaded"] == 2  # the same again: replaced
    with pytest.raises(ApplicationsRefused, match="line 2: a duplicate case: an application already loaded"):
        load_applications(con, _write(tmp_path, DUPLICATE), MAPPING)
    con.close()
    assert _rows() == [
        ("demo_public_protection:P1", "right_to_ask", "applicant", "demo_custody:A1", True, "disclose", "2025-06-23"),
        ("demo_public_protection:P2", "right_to_know", "police_information", "demo_custody:A2", False, None, None)]


def test_load_signed_in_with_a_purpose_loads_and_logs_the_collection(persons, staff, log_in, tmp_path):
    officer = staff["public_protection_officer"]
    log_in(officer)
    extract = _write(tmp_path, *GOOD)
    result = CliRunner().invoke(app, ["dvds", "load", str(extract), "--mapping", str(MAPPING), "--purpose", WHY,
                                      "--as", officer])
    assert result.exit_code == 0, result.output
    assert "Loaded 2 applications" in result.output
    assert [key for key, *_ in _rows()] == ["demo_public_protection:P1", "demo_public_protection:P2"]
    with db.transaction() as session:
        [entry] = [e for e in select_entries(session, AuditFilter(actor=officer)) if e.operation == "collection"]
    assert (entry.purpose, entry.object_type) == (WHY, "dvds_application")
    assert json.loads(entry.detail) | {"batch_id": None} == {
        "domain": "dvds", "batch_id": None, "source_system": "demo_public_protection", "rows_loaded": 2,
        "file": str(extract)}


def test_load_refuses_a_supervisor_and_writes_nothing(persons, staff, log_in, tmp_path):
    log_in(staff["supervisor"])
    result = CliRunner().invoke(app, ["dvds", "load", str(_write(tmp_path, *GOOD)), "--mapping", str(MAPPING),
                                      "--purpose", WHY, "--as", staff["supervisor"]])
    assert result.exit_code == 2 and "may not collect in the dvds domain" in result.output
    assert _rows() == []
