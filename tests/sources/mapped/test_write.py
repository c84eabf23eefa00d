"""Writing a person extract: records, events, vehicles and links; reloads and snapshots replace."""

from __future__ import annotations

import pandas as pd
from tests.sources.mapped.extracts import CUSTODY_HEADER, write

from peel.sources.mapped import MAPPINGS_DIR, load_mapped


def test_load_mapped_reads_parquet_with_vehicles_and_events(con, tmp_path):
    extract = tmp_path / "intel.parquet"
    pd.DataFrame(
        {
            "subject_ref": ["IR-1/1", "IR-1/2", "IR-2/1"],
            "report_ref": ["IR-1", "IR-1", "IR-2"],
            "report_date": ["12-Mar-2025", "12-Mar-2025", "01-Apr-2025"],
            "grading": ["B2", "B2", "C3"],
            "district": ["D1", "D1", "D2"],
            "subject_name": ["SMITH, Jo", "Al Brown", None],
            "dob": [None, "01-Jan-1990", None],
            "sex": ["female", "male", None],
            "last_known_address": ["Mill Lane, Ashworth, CK1 2AB", None, None],
            "phone": [None, None, None],
            "pnc": ["09/1234567X", None, None],
            "vehicles": ["ab12 cde; XY65ABC", None, None],
        }
    ).to_parquet(extract)
    result = load_mapped(con, extract, MAPPINGS_DIR / "demo_intelligence.yaml")
    assert (
        result["rows_loaded"],
        result["rows_quarantined"],
        result["events"],
        result["objects"],
    ) == (2, 1, 1, 2)
    # Parquet has no header line: the line is the row number.
    assert con.execute("SELECT line, reason FROM quarantine").fetchone() == (
        3,
        "no name: expected a forename or a surname",
    )
    objects = con.execute(
        "SELECT object_key, identifier, identifier_raw FROM object ORDER BY 1"
    ).fetchall()
    assert objects == [
        ("vehicle:AB12CDE", "AB12CDE", "ab12 cde"),
        ("vehicle:XY65ABC", "XY65ABC", "XY65ABC"),
    ]
    event = con.execute(
        "SELECT event_key, event_type, source_record_id, event_date::VARCHAR, district_code, category FROM event"
    ).fetchall()
    assert event == [("demo_intelligence:IR-1", "intelligence", "IR-1", "2025-03-12", "D1", "B2")]
    drives = con.execute("SELECT count(*) FROM pole_link WHERE link_type = 'drives'").fetchone()[0]
    assert drives == 2
    sex = dict(con.execute("SELECT source_record_id, sex FROM person_record").fetchall())
    assert sex == {"IR-1/1": "F", "IR-1/2": "M"}


def test_load_mapped_replaces_earlier_rows_when_loaded_again(con, tmp_path):
    extract = write(
        tmp_path / "custody.csv",
        f"""
        {CUSTODY_HEADER}
        CU1,A1,,Smith,Jo,,01/02/1990,Female,"1 High Street, Ashworth, CK1 1AA",,01/02/2026
        """,
    )
    load_mapped(con, extract, MAPPINGS_DIR / "demo_custody.yaml")
    load_mapped(con, extract, MAPPINGS_DIR / "demo_custody.yaml")
    assert con.execute("SELECT count(*) FROM person_record").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM pole_link").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM ingest_batch").fetchone()[0] == 2


def test_load_mapped_as_a_snapshot_removes_what_the_new_file_no_longer_holds(con, tmp_path):
    first = tmp_path / "intel1.parquet"
    second = tmp_path / "intel2.parquet"
    columns = [
        "subject_ref",
        "report_ref",
        "report_date",
        "grading",
        "district",
        "subject_name",
        "dob",
        "sex",
        "last_known_address",
        "phone",
        "pnc",
        "vehicles",
    ]
    row = [
        "IR-1/1",
        "IR-1",
        "12-Mar-2025",
        "B2",
        "D1",
        "SMITH, Jo",
        None,
        None,
        "Mill Lane, Ashworth, CK1 2AB",
        None,
        None,
        "AB12 CDE",
    ]
    other = [
        "IR-2/1",
        "IR-2",
        "13-Mar-2025",
        "C3",
        "D1",
        "Al Brown",
        None,
        None,
        None,
        None,
        None,
        None,
    ]
    pd.DataFrame([row, other], columns=columns).to_parquet(first)
    pd.DataFrame([other], columns=columns).to_parquet(second)
    mapping = MAPPINGS_DIR / "demo_intelligence.yaml"
    load_mapped(con, first, mapping)
    load_mapped(con, second, mapping)  # an update: IR-1/1 stays
    assert con.execute("SELECT count(*) FROM person_record").fetchone()[0] == 2
    load_mapped(con, second, mapping, snapshot=True)  # the whole system: IR-1/1 is gone
    counts = [
        con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("person_record", "event", "object")
    ]
    assert counts == [1, 1, 0]
    links = con.execute("SELECT DISTINCT source_record_id FROM pole_link").fetchall()
    assert links == [("IR-2/1",)]
