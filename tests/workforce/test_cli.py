"""peel workforce: the month's figures for anyone; loading an extract and reading a person's
sickness only when signed in with a role that may, and a purpose."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from typer.testing import CliRunner

from peel.casebook import db, users
from peel.casebook.audit import AuditFilter, select_entries
from peel.cli import app
from peel.warehouse import connect
from peel.workforce.extracts import MAPPINGS
from peel.workforce.section import get_workforce_section

PASSWORD = "a long password"
STAFF = "StaffNo,RankGrade,Role,Team,FTE,StartDate,LeaveDate\n1,PS,Response,T,1,01/02/2010,\n"


@pytest.fixture
def casebook(peel_home):
    peel_home.mkdir(parents=True, exist_ok=True)
    with db.transaction() as session:
        users.add_user(session, "admin", "administrator", acting=None, password=PASSWORD)
        users.add_user(session, "hr", "hr_wellbeing_officer", acting="admin", password=PASSWORD)
        users.add_user(session, "analyst", "performance_analyst", acting="admin", password=PASSWORD)
    yield
    db.dispose_engines()


def load_staff(extract):
    """``peel workforce load staff EXTRACT`` through the demo HR mapping, with a purpose."""
    return CliRunner().invoke(app, ["workforce", "load", "staff", str(extract), "-m",
                                    str(MAPPINGS / "demo_hr_staff.yaml"), "--purpose", "Monthly HR extract"])


def test_summary_prints_training_and_assaults_from_the_warehouse(small_demo, peel_home):
    peel_home.mkdir(parents=True, exist_ok=True)
    small_demo.con.execute("CHECKPOINT")
    shutil.copyfile(small_demo.home / "warehouse.duckdb", peel_home / "warehouse.duckdb")
    result = CliRunner().invoke(app, ["workforce", "summary", "--month", "2026-03", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    section = get_workforce_section(small_demo.con, date(2026, 3, 1))
    assert [t["booked"] for t in printed["training"]] == [t.booked for t in section.training]
    table = CliRunner().invoke(app, ["workforce", "summary", "--month", "2026-03"])
    assert "100% of sergeants booked" in table.output
    assert "Share of people absent in a month since training started: " in table.output
    assert printed["share_absent_change_since_training"]["all"][0]["since"] == section.absent_change["all"][0].since


def test_load_signed_in_with_a_purpose_loads_and_logs_the_collection(casebook, peel_home, log_in, tmp_path):
    log_in("hr", PASSWORD)
    extract = tmp_path / "staff.csv"
    extract.write_text(STAFF, encoding="utf-8")
    result = load_staff(extract)
    assert result.exit_code == 0, result.output
    assert "Loaded 1 rows into staff_member" in result.output
    con = connect(read_only=True)
    assert con.execute("SELECT rank_or_grade FROM staff_member").fetchall() == [("Sergeant",)]
    con.close()
    with db.transaction() as session:
        [entry] = [e for e in select_entries(session, AuditFilter(actor="hr")) if e.operation == "collection"]
    assert entry.purpose == "Monthly HR extract" and json.loads(entry.detail)["rows_loaded"] == 1


def test_load_bad_extract_names_the_line_and_writes_nothing(casebook, peel_home, log_in, tmp_path):
    log_in("hr", PASSWORD)
    extract = tmp_path / "staff.csv"
    extract.write_text(STAFF + "2,GENERAL,Response,T,1,01/02/2010,\n", encoding="utf-8")
    result = load_staff(extract)
    assert result.exit_code == 1
    assert "line 3: unknown rank or grade" in result.output and "nothing was written" in result.output
    con = connect(read_only=True)
    assert con.execute("SELECT count(*) FROM staff_member").fetchone()[0] == 0
    con.close()


def test_load_refuses_a_role_without_the_collect_grant(casebook, peel_home, log_in, tmp_path):
    log_in("analyst", PASSWORD)
    extract = tmp_path / "staff.csv"
    extract.write_text(STAFF, encoding="utf-8")
    result = load_staff(extract)
    assert result.exit_code == 2, result.output
    with db.transaction() as session:
        assert [e.operation for e in select_entries(session, AuditFilter(actor="analyst"))][-1] == "refusal"


def test_sickness_shows_a_persons_spells_to_the_hr_officer_and_refuses_an_unknown_number(small_demo, casebook, peel_home, log_in):
    small_demo.con.execute("CHECKPOINT")
    shutil.copyfile(small_demo.home / "warehouse.duckdb", peel_home / "warehouse.duckdb")
    staff_number, first_day = small_demo.con.execute(
        """SELECT p.source_record_id, CAST(max(s.start_date) AS VARCHAR) FROM sickness_spell s
           JOIN staff_member p USING (staff_key) GROUP BY 1 ORDER BY 1 LIMIT 1""").fetchone()
    log_in("hr", PASSWORD)
    result = CliRunner().invoke(app, ["workforce", "sickness", staff_number, "--purpose", "Attendance review"])
    assert result.exit_code == 0, result.output
    assert first_day in result.output
    unknown = CliRunner().invoke(app, ["workforce", "sickness", "NOSUCH", "--purpose", "Attendance review"])
    assert unknown.exit_code == 2 and "No one with staff number 'NOSUCH'" in unknown.output
