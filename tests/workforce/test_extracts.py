"""Workforce extracts through their declared mappings: a good extract loads whole; an
unknown rank or grade (or any bad row) refuses the file, naming it and the line, and nothing
is written."""

from __future__ import annotations

import shutil

import pytest

from peel.sources.mapped.batch import ExtractRefused
from peel.sources.mapped.mapping import MappingError
from peel.warehouse import connect
from peel.workforce.extracts import MAPPINGS, load_workforce_extract

STAFF = "StaffNo,RankGrade,Role,Team,FTE,StartDate,LeaveDate\n"


@pytest.fixture
def con(peel_home):
    con = connect()
    yield con
    con.close()


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _count(con, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_load_workforce_extract_reads_codes_through_the_mapping(con, tmp_path):
    path = _write(tmp_path, "staff.csv", STAFF + "1,PS,Response,North response,1,01/02/2010,\n"
                                                 "2,S4-6,Control room,Control room,0.5,03/04/2020,05/06/2025\n")
    result = load_workforce_extract(con, path, MAPPINGS / "demo_hr_staff.yaml", "staff")
    assert result["rows_loaded"] == 2
    rows = con.execute("SELECT staff_key, kind, rank_or_grade, fte, CAST(start_date AS VARCHAR), "
                       "CAST(leave_date AS VARCHAR) FROM staff_member ORDER BY 1").fetchall()
    assert rows == [("demo_hr:1", "officer", "Sergeant", 1.0, "2010-02-01", None),
                    ("demo_hr:2", "staff", "Scale 4-6", 0.5, "2020-04-03", "2025-06-05")]


def test_load_workforce_extract_unknown_rank_refuses_the_file_naming_the_line(con, tmp_path):
    load_workforce_extract(con, _write(tmp_path, "first.csv", STAFF + "9,PC,Response,T,1,01/01/2020,\n"),
                           MAPPINGS / "demo_hr_staff.yaml", "staff")
    path = _write(tmp_path, "staff.csv", STAFF + "1,PS,Response,T,1,01/02/2010,\n"
                                                 "2,Colonel,Response,T,1,01/02/2010,\n")
    with pytest.raises(ExtractRefused) as refused:
        load_workforce_extract(con, path, MAPPINGS / "demo_hr_staff.yaml", "staff")
    message = str(refused.value)
    assert str(path) in message and "line 3: unknown rank or grade 'Colonel'" in message and "nothing was written" in message
    # Nothing written: the earlier load stands, whole.
    assert con.execute("SELECT source_record_id FROM staff_member").fetchall() == [("9",)]


@pytest.mark.parametrize("row, reason", [
    ("1,PS,Response,T,1.5,01/02/2010,", "line 2: FTE must be a number above 0 and at most 1"),
    ("1,PS,Response,T,1,31/02/2010,", "line 2: start_date is not a date"),
    (",PS,Response,T,1,01/02/2010,", "line 2: no record id in column StaffNo"),
    ("1,PS,Response,T,1,01/02/2010,01/01/2009", "line 2: leaves before joining"),
])
def test_load_workforce_extract_bad_staff_rows_are_refused(con, tmp_path, row, reason):
    with pytest.raises(ExtractRefused, match=reason):
        load_workforce_extract(con, _write(tmp_path, "s.csv", STAFF + row + "\n"), MAPPINGS / "demo_hr_staff.yaml",
                               "staff")
    assert _count(con, "staff_member") == 0


def test_load_workforce_extract_contact_for_unknown_person_or_service_is_refused(con, tmp_path):
    load_workforce_extract(con, _write(tmp_path, "s.csv", STAFF + "1,PC,Response,T,1,01/01/2020,\n"),
                           MAPPINGS / "demo_hr_staff.yaml", "staff")
    text = "ContactId,StaffNo,Service,ContactDate\nW1,1,Peer network,01/03/2026\nW2,7,Peer network,01/03/2026\n" \
           "W3,1,Yoga,02/03/2026\n"
    with pytest.raises(ExtractRefused) as refused:
        load_workforce_extract(con, _write(tmp_path, "w.csv", text), MAPPINGS / "demo_wellbeing.yaml", "wellbeing")
    assert "line 3: staff number '7' is not in the people (HR) extract" in str(refused.value)
    assert "line 4: unknown wellbeing service 'Yoga'" in str(refused.value)
    assert _count(con, "wellbeing_contact") == 0


# Per extract kind: its demo mapping, its header and a good row (line 2), before the bad row (line 3).
GOOD = {"course": ("demo_learning.yaml", "BookingRef,StaffNumber,CourseTitle,Booked,CourseStarts,Completed",
                   "B0,1,Frontline leadership,2025-09-01,2025-10-06,"),
        "sickness": ("demo_hr_sickness.yaml", "AbsenceId,StaffNo,FirstDayAbsent,LastDayAbsent,Reason",
                     "A0,1,05/01/2026,,Cold")}


@pytest.mark.parametrize("kind, row, reason", [
    ("course", "B1,7,Frontline leadership,2025-09-01,,", "line 3: staff number '7' is not in the people (HR) extract"),
    ("course", "B1,1,Basket weaving,2025-09-01,,",
     "line 3: unknown leadership course 'Basket weaving' (expected one of: Frontline leadership; Midline leadership)"),
    ("course", "B1,1,Frontline leadership,2025-09-01,2025-10-06,2025-10-01", "line 3: completed before the course started"),
    ("course", "B1,1,Frontline leadership,01/09/2025,,", "line 3: booked_date is not a date in the formats %Y-%m-%d"),
    ("sickness", "A1,1,05/01/2026,02/01/2026,Stress", "line 3: absence ends before it starts"),
    ("sickness", "A1,1,,02/01/2026,Stress", "line 3: no start_date"),
])
def test_load_workforce_extract_bad_course_or_sickness_row_refuses_the_file(con, tmp_path, kind, row, reason):
    load_workforce_extract(con, _write(tmp_path, "s.csv", STAFF + "1,PS,Response,T,1,01/01/2020,\n"),
                           MAPPINGS / "demo_hr_staff.yaml", "staff")
    mapping, header, good = GOOD[kind]
    path = _write(tmp_path, f"{kind}.csv", f"{header}\n{good}\n{row}\n")
    with pytest.raises(ExtractRefused) as refused:
        load_workforce_extract(con, path, MAPPINGS / mapping, kind)
    assert str(path) in str(refused.value) and reason in str(refused.value)
    assert _count(con, {"course": "leadership_course", "sickness": "sickness_spell"}[kind]) == 0  # nothing written


def test_load_workforce_extract_mapping_with_an_unknown_field_is_refused(con, tmp_path):
    mapping = tmp_path / "m.yaml"
    shutil.copy(MAPPINGS / "demo_hr_sickness.yaml", mapping)
    mapping.write_text(mapping.read_text(encoding="utf-8") + "  diagnosis: Diagnosis\n", encoding="utf-8")
    with pytest.raises(MappingError, match="unknown sickness field"):
        load_workforce_extract(con, _write(tmp_path, "a.csv", "AbsenceId\n"), mapping, "sickness")


def test_docs_show_the_ranks_services_and_extract_fields_as_declared():
    from peel.docgen import get_section
    from peel.workforce.docs import DOC, SECTION, render_reference_markdown

    assert get_section(DOC.read_text(encoding="utf-8"), SECTION) == render_reference_markdown().strip(), (
        "docs/workforce.md is out of date: run python -m peel.workforce.docs")


TABLES = {"staff": ("staff_member", "demo_hr_staff.yaml", "hr_staff.csv"),
          "course": ("leadership_course", "demo_learning.yaml", "learning_bookings.csv"),
          "sickness": ("sickness_spell", "demo_hr_sickness.yaml", "hr_absence.csv"),
          "wellbeing": ("wellbeing_contact", "demo_wellbeing.yaml", "wellbeing_contacts.csv"),
          "assault": ("staff_assault", "demo_crime_victims.yaml", "crime_victims.csv")}


def copy_crimes(small_demo, con, where: str = "true") -> None:
    """The small demo's crimes (those ``where`` picks) into ``con``'s warehouse: the police-victim
    extract names crimes already loaded."""
    con.register("demo_crimes", small_demo.con.execute(f"SELECT * FROM crime WHERE {where}").df())
    con.execute("INSERT INTO crime SELECT * FROM demo_crimes")
    con.unregister("demo_crimes")


def test_load_workforce_extract_of_the_demo_extracts_gives_the_rows_the_demo_loaded(small_demo, con):
    folder = small_demo.home / "demo" / "workforce"
    copy_crimes(small_demo, con)
    for kind, (table, mapping, name) in TABLES.items():
        load_workforce_extract(con, folder / name, MAPPINGS / mapping, kind)
        query = f"SELECT * EXCLUDE (batch_id) FROM {table} ORDER BY 1"
        assert con.execute(query).fetchall() == small_demo.con.execute(query).fetchall(), table


VICTIMS = "CrimeRef,VictimStaffNo,VictimType,Legislation,OutcomeCode,AttritionReason\n"


@pytest.mark.parametrize("row, reason", [
    ("NOSUCH,,OFFICER,s1,,", "line 3: crime 'NOSUCH' is not in the crimes loaded: load the crime records first"),
    ("{crime},,PCSO,s1,,", "line 3: unknown victim kind 'PCSO' (not a code listed under the mapping's values)"),
    ("{crime},,OFFICER,s1,2,", "line 3: Home Office outcome '2' is not one of evidential difficulties (14, 15, 16)"),
    ("{crime},7,OFFICER,s1,,", "line 3: staff number '7' is not in the people (HR) extract"),
    ("{crime},,OFFICER,,,", "line 3: no legislation"),
])
def test_load_workforce_extract_bad_police_victim_row_refuses_the_file(small_demo, con, tmp_path, row, reason):
    good, crime = small_demo.con.execute("SELECT min(source_record_id), max(source_record_id) FROM crime").fetchone()
    copy_crimes(small_demo, con, f"source_record_id IN ('{good}', '{crime}')")
    load_workforce_extract(con, _write(tmp_path, "s.csv", STAFF + "1,PC,Response,T,1,01/01/2020,\n"),
                           MAPPINGS / "demo_hr_staff.yaml", "staff")
    path = _write(tmp_path, "victims.csv", f"{VICTIMS}{good},1,OFFICER,s1,16,Suspect in mental-health crisis\n"
                                           f"{row.format(crime=crime)}\n")
    with pytest.raises(ExtractRefused) as refused:
        load_workforce_extract(con, path, MAPPINGS / "demo_crime_victims.yaml", "assault")
    assert str(path) in str(refused.value) and reason in str(refused.value)
    assert _count(con, "staff_assault") == 0  # nothing written
