"""Loading command-and-control extracts through the mapping language: good files load whole,
a bad row refuses the file naming its line, and nothing is half-written."""

from pathlib import Path

import pytest

from peel.control_room.extract import ExtractRefused, load_extract
from peel.sources.mapped import MappingError
from peel.warehouse import connect

MAPPINGS = Path(__file__).resolve().parents[2] / "src" / "peel" / "control_room" / "mappings"
CALLS_HEADER = "CallRef,Channel,Received,Answered,HandlingSecs,District,IncidentRef\n"
INCIDENTS_HEADER = "IncidentRef,Grade,Created,Dispatched,Arrived,Closed,District,LSOA,RuralUrban,Lat,Lon,Units\n"


@pytest.fixture
def con(peel_home):
    con = connect()
    yield con
    con.close()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_extract_calls_reads_offsets_and_local_times(con, tmp_path):
    path = write(tmp_path, "calls.csv", CALLS_HEADER
                 + "A1,999,2025-10-26T01:30:00+01:00,2025-10-26T01:30:06+01:00,200,X1,\n"
                 + "A2,999,2025-10-26T01:30:00+00:00,,,X1,\n"
                 + "A3,101,2025-07-01 09:00:00,2025-07-01 09:02:00,300,X2,I9\n"
                 + "A4,Online,2025-07-01T10:00:00Z,,,X2,\n")
    assert load_extract(con, "calls", path, MAPPINGS / "calls.yaml") == {"cr_call": 4}
    rows = con.execute("SELECT call_id, channel, epoch(received_at)::BIGINT, abandoned, wait_seconds "
                       "FROM cr_call ORDER BY call_id").fetchall()
    assert rows == [("A1", "999", 1761438600, False, 6.0), ("A2", "999", 1761442200, True, None),
                    ("A3", "101", 1751356800, False, 120.0), ("A4", "online", 1751364000, False, None)]


def test_load_extract_calls_refuses_negative_duration_naming_file_and_line(con, tmp_path):
    path = write(tmp_path, "calls.csv", CALLS_HEADER
                 + "A1,999,2025-07-01T10:00:00Z,2025-07-01T10:00:05Z,200,X1,\n"
                 + "A2,999,2025-07-01T10:00:00Z,2025-07-01T10:00:05Z,-30,X1,\n")
    with pytest.raises(ExtractRefused) as refused:
        load_extract(con, "calls", path, MAPPINGS / "calls.yaml")
    assert refused.value.problems == [(3, "negative handling time -30 seconds: a duration cannot be below zero")]
    assert f"{path}, line 3: negative handling time" in str(refused.value)
    assert con.execute("SELECT count(*) FROM cr_call").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM ingest_batch").fetchone()[0] == 0


def test_load_extract_calls_refuses_local_times_the_clocks_repeat_or_skip(con, tmp_path):
    path = write(tmp_path, "calls.csv", CALLS_HEADER
                 + "A1,999,2025-10-26 01:30:00,,,X1,\n"     # happens twice
                 + "A2,999,2025-03-30 01:30:00,,,X1,\n"     # never happens
                 + "A3,999,2025-03-30 02:30:00,,,X1,\n")    # fine: BST
    with pytest.raises(ExtractRefused) as refused:
        load_extract(con, "calls", path, MAPPINGS / "calls.yaml")
    (line2, why2), (line3, why3) = refused.value.problems
    assert (line2, line3) == (2, 3)
    assert "happens twice in local time" in why2 and "does not exist" in why3


def test_load_extract_incidents_refuses_bad_rows_and_writes_nothing(con, tmp_path):
    good = "I1,G1,2025-07-01T10:00:00Z,2025-07-01T10:02:00Z,2025-07-01T10:10:00Z,2025-07-01T11:00:00Z,X1,N1,Urban,51.8,-0.2,AB12;AB61\n"
    path = write(tmp_path, "incidents.csv", INCIDENTS_HEADER + good
                 + "I2,G1,2025-07-01T10:00:00Z,2025-07-01T09:58:00Z,,,X1,N1,Urban,,,\n"
                 + "I3,G7,2025-07-01T10:00:00Z,,,,X1,N1,Rural,,,\n")
    with pytest.raises(ExtractRefused) as refused:
        load_extract(con, "incidents", path, MAPPINGS / "incidents.yaml")
    assert [line for line, _ in refused.value.problems] == [3, 4]
    assert refused.value.problems[0][1] == "dispatched before it was created"
    assert refused.value.problems[1][1].startswith("unknown grade 'G7': expected one of emergency, priority")
    assert con.execute("SELECT count(*) FROM cr_incident").fetchone()[0] == 0


def test_load_extract_incidents_loads_grades_and_units_then_replaces_on_reload(con, tmp_path):
    row = "I1,G1,2025-07-01T10:00:00Z,2025-07-01T10:02:00Z,2025-07-01T10:10:00Z,2025-07-01T11:00:00Z,X1,N1,Rural,51.8,-0.2,AB12;AB61\n"
    path = write(tmp_path, "incidents.csv", INCIDENTS_HEADER + row)
    load_extract(con, "incidents", path, MAPPINGS / "incidents.yaml")
    load_extract(con, "incidents", path, MAPPINGS / "incidents.yaml")
    assert con.execute("SELECT incident_id, grade, rural, units FROM cr_incident").fetchall() == [
        ("I1", "emergency", True, ["AB12", "AB61"])]


def test_load_extract_refuses_a_file_missing_a_mapped_column(con, tmp_path):
    path = write(tmp_path, "calls.csv", "CallRef,Channel\nA1,999\n")
    with pytest.raises(MappingError, match="'Received' \\(for call.received_at\\)"):
        load_extract(con, "calls", path, MAPPINGS / "calls.yaml")
