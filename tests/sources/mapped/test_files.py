"""Reading an extract through its mapping: CSV or Parquet, lines as the file has them, a
missing column named."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from tests.sources.mapped.extracts import CUSTODY_HEADER, write, write_mapping

from peel.sources.mapped import MAPPINGS_DIR, MappingError, load_mapped


def test_read_extract_numbers_lines_the_same_with_either_csv_reader(tmp_path):
    from peel.sources.mapped.files import _read_csv_line_by_line, _read_csv_with_duckdb

    header = CUSTODY_HEADER.split(",")
    extract = write(
        tmp_path / "custody.csv",
        f"""
        {CUSTODY_HEADER}
        CU1,A1,,Smith,Jo,,01/02/1990,Female,"1 High Street, Ashworth, CK1 1AA",,01/02/2026
        CU2,A2,,Smith,Jo,,01/02/1990,Female
        CU3,A3,,Brown,Al,,01/02/1990,Male,,,01/02/2026,extra
        CU4,A4,,Green,Di,,01/02/1990,Female,,,01/02/2026
        """,
    )
    fast = _read_csv_with_duckdb(extract, header)
    assert fast is not None, "a file with one row per line is read by DuckDB"
    slow = _read_csv_line_by_line(extract, header)
    assert list(fast[0].column("_line").to_pylist()) == list(slow[0]["_line"]) == [2, 5]
    assert [(line, reason) for line, reason, _ in fast[1]] == [
        (line, reason) for line, reason, _ in slow[1]
    ]
    assert [line for line, _, _ in fast[1]] == [3, 4]
    assert fast[0].column("Surname").to_pylist() == ["Smith", "Green"]
    # A value with a line break makes DuckDB's row numbers differ from lines: the careful
    # reader takes over.
    broken = write(
        tmp_path / "broken.csv",
        f"""
        {CUSTODY_HEADER}
        CU1,A1,,Smith,Jo,,01/02/1990,Female,"1 High Street,
        Ashworth, CK1 1AA",,01/02/2026
        CU2,A2,,Smith,Jo,,01/02/1990,Female
        """,
    )
    assert _read_csv_with_duckdb(broken, header) is None


def test_load_mapped_fails_naming_a_missing_required_column(con, tmp_path):
    extract = write(
        tmp_path / "custody.csv",
        """
        CustodyNo,ArrestRef,PNCID,Surname,Forename,MiddleNames,Gender,HomeAddress,ContactNumber,ArrestDate
        CU1,A1,,Smith,Jo,,Female,,,01/02/2026
        """,
    )
    with pytest.raises(MappingError) as caught:
        load_mapped(con, extract, MAPPINGS_DIR / "demo_custody.yaml")
    message = str(caught.value)
    assert (
        "'DateOfBirth'" in message and "custody.csv" in message and "demo_custody.yaml" in message
    )
    assert con.execute("SELECT count(*) FROM person_record").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM ingest_batch").fetchone()[0] == 0


def test_load_mapped_checks_a_parquet_file_before_reading_it(con, tmp_path):
    extract = tmp_path / "intel.parquet"
    pd.DataFrame({"subject_ref": ["IR-1/1"], "subject_name": ["Jo Smith"]}).to_parquet(extract)
    with pytest.raises(MappingError, match="'report_ref' \\(for event.column\\)"):
        load_mapped(con, extract, MAPPINGS_DIR / "demo_intelligence.yaml")
    broken = write(tmp_path / "broken.parquet", "this is not parquet")
    with pytest.raises(MappingError, match="broken.parquet: cannot be read as Parquet"):
        load_mapped(con, broken, MAPPINGS_DIR / "demo_intelligence.yaml")
    assert con.execute("SELECT count(*) FROM ingest_batch").fetchone()[0] == 0


def test_load_mapped_reads_febrl_with_spaced_header_and_compact_dates(con, tmp_path, linkage_data):
    # FEBRL writes ', ' between fields: the header's names start with a space.

    source = linkage_data / "febrl" / "dataset1.csv"
    mapping = write_mapping(
        tmp_path,
        """
        source_system: febrl_1
        record_id: rec_id
        role: subject
        date_formats: ["%Y%m%d"]
        person:
          forename: " given_name"
          surname: " surname"
          house_number: " street_number"
          street: " address_1"
          town: " suburb"
          postcode: " postcode"
          date_of_birth: " date_of_birth"
        """,
    )
    with open(source, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    result = load_mapped(con, source, mapping)
    nameless = sum(1 for r in rows if not r[" given_name"].strip() and not r[" surname"].strip())
    assert result["rows_loaded"] == len(rows) - nameless
    parsed = con.execute(
        "SELECT count(*) FROM person_record WHERE date_of_birth IS NOT NULL"
    ).fetchone()[0]
    from datetime import datetime

    def valid(text):
        try:
            datetime.strptime(text.strip(), "%Y%m%d")
            return True
        except ValueError:
            return False

    named = [r for r in rows if r[" given_name"].strip() or r[" surname"].strip()]
    assert parsed == sum(valid(r[" date_of_birth"]) for r in named)
    # Australian postcodes are not UK postcodes: not normalised as one, kept as written.
    row = con.execute(
        "SELECT postcode, address_raw FROM person_record WHERE source_record_id = 'rec-122-org'"
    ).fetchone()
    assert row[0] is None and row[1].endswith("4814")


@pytest.mark.parametrize("megabytes", [3, 200])
def test_load_mapped_quarantines_a_row_too_long_to_read(con, tmp_path, megabytes):
    # DuckDB refuses a 3 MB line and leaves a 200 MB one out without a word: both are
    # quarantined on their line. The 200 MB file costs about 4 s and 300 MB of memory.
    mapping = write_mapping(
        tmp_path, "source_system: t\nrecord_id: id\nrole: victim\nperson: {surname: name}\n"
    )
    extract = tmp_path / "people.csv"
    with extract.open("w", encoding="utf-8") as f:
        f.write("id,name\n1,Ames\n2,")
        for start in range(0, megabytes * 1_000_000, 1 << 20):
            f.write("B" * min(1 << 20, megabytes * 1_000_000 - start))
        f.write("\n3,Cole\n")
    result = load_mapped(con, extract, mapping)
    assert (result["rows_read"], result["rows_loaded"], result["rows_quarantined"]) == (3, 2, 1)
    [(line, reason)] = con.execute("SELECT line, reason FROM quarantine").fetchall()
    assert line == 3 and reason.startswith(f"line too long to be a row: {megabytes},000,0")
    loaded = con.execute("SELECT source_record_id FROM person_record ORDER BY 1").fetchall()
    assert loaded == [("1",), ("3",)]


def write_people_with_a_blank_line(tmp_path, value_bytes: int):
    """A mapping and an extract whose blank line sends it to the careful (line by line)
    reader, whose own limit for a value is 128 KB, with one value of ``value_bytes``."""
    mapping = write_mapping(
        tmp_path, "source_system: t\nrecord_id: id\nrole: victim\nperson: {surname: name}\n"
    )
    extract = write(tmp_path / "people.csv", f"id,name\n1,Ames\n\n2,{'B' * value_bytes}\n")
    return mapping, extract


def test_load_mapped_reads_a_long_value_line_by_line_as_duckdb_would(con, tmp_path):
    mapping, extract = write_people_with_a_blank_line(tmp_path, 300_000)
    assert load_mapped(con, extract, mapping)["rows_loaded"] == 2


def test_load_mapped_refuses_a_value_too_long_to_read_line_by_line(con, tmp_path):
    mapping, extract = write_people_with_a_blank_line(tmp_path, 3_000_000)
    with pytest.raises(MappingError) as caught:
        load_mapped(con, extract, mapping)
    assert f"{extract} line 4: cannot be read" in str(caught.value)
    assert con.execute("SELECT count(*) FROM ingest_batch").fetchone()[0] == 0
