"""Rows a person extract cannot give: quarantined with file, line, reason and the row as read."""

from __future__ import annotations

import csv

import pytest
from tests.sources.mapped.extracts import CUSTODY_HEADER, write

from peel.sources.mapped import MAPPINGS_DIR, load_mapped


def test_load_mapped_quarantines_rows_it_cannot_read_with_file_line_and_reason(con, tmp_path):
    extract = write(
        tmp_path / "custody.csv",
        f"""
        {CUSTODY_HEADER}
        CU1,A1,,Smith,Jo,,01/02/1990,Female,"1 High Street,
        Ashworth, CK1 1AA",,01/02/2026
        CU2,A2,,Smith,Jo,,01/02/1990,Female
        ,A3,,Brown,Al,,01/02/1990,Male,,,01/02/2026
        CU4,A4,,,,,01/02/1990,Male,,,01/02/2026
        CU1,A5,,Green,Di,,01/02/1990,Female,,,01/02/2026
        CU6,,,Green,Di,,01/02/1990,Female,,,01/02/2026
        CU7,A7,,Black,Cy,,01/02/1990,Male,,,01/02/2026
        """,
    )
    result = load_mapped(con, extract, MAPPINGS_DIR / "demo_custody.yaml")
    assert (result["rows_read"], result["rows_loaded"], result["rows_quarantined"]) == (7, 2, 5)
    rows = con.execute("SELECT file, line, reason, raw FROM quarantine ORDER BY line").fetchall()
    assert [r[1] for r in rows] == [4, 5, 6, 7, 8]
    assert all(r[0] == str(extract) for r in rows)
    reasons = [r[2] for r in rows]
    assert "expected 11 fields" in reasons[0] and "found 8" in reasons[0]
    assert "no record id in column CustodyNo" in reasons[1]
    assert "no name" in reasons[2]
    assert "repeats an earlier row" in reasons[3]
    assert "no event reference in column ArrestRef" in reasons[4]
    assert rows[1][3].startswith(",A3,")
    loaded = {r[0] for r in con.execute("SELECT source_record_id FROM person_record").fetchall()}
    assert loaded == {"CU1", "CU7"}
    batch = con.execute(
        "SELECT rows_read, rows_loaded, rows_quarantined FROM ingest_batch"
    ).fetchone()
    assert batch == (7, 2, 5)


@pytest.mark.parametrize("line_break_in_a_value", [False, True])
def test_load_mapped_keeps_a_quarantined_row_as_a_csv_line_that_reads_back(
    con, tmp_path, line_break_in_a_value
):
    # Both readers (DuckDB's, and the csv module's when a value holds a line break) keep a
    # refused row quoted as in the file, so a value holding a comma stays one field.
    address = '"1 High Street,\nAshworth"' if line_break_in_a_value else '"1 High Street, Ashworth"'
    no_name = 'CU2,A2,,,,,01/02/1990,Male,"2 Mill Lane, Ashworth",,01/02/2026'
    too_short = 'CU3,A3,,"Smith, Jo",Jo'
    extract = write(
        tmp_path / "custody.csv",
        f"{CUSTODY_HEADER}\nCU1,A1,,Smith,Jo,,01/02/1990,Female,{address},,01/02/2026\n"
        f"{no_name}\n{too_short}\n",
    )
    result = load_mapped(con, extract, MAPPINGS_DIR / "demo_custody.yaml")
    assert (result["rows_loaded"], result["rows_quarantined"]) == (1, 2)
    raws = [raw for (raw,) in con.execute("SELECT raw FROM quarantine ORDER BY line").fetchall()]
    assert raws == [no_name, too_short]
    assert next(csv.reader([raws[0]]))[8] == "2 Mill Lane, Ashworth"


@pytest.mark.parametrize("line_break_in_a_value", [False, True])
def test_load_mapped_quarantines_a_row_that_is_not_utf8(con, tmp_path, line_break_in_a_value):
    # Both readers (DuckDB's, and the csv module's when a value holds a line break) agree.
    first = (
        'CU1,A1,,Smith,Jo,,01/02/1990,Female,"1 High Street,\nAshworth, CK1 1AA",,01/02/2026\n'
        if line_break_in_a_value
        else "CU1,A1,,Smith,Jo,,01/02/1990,Female,,,01/02/2026\n"
    )
    body = (
        (CUSTODY_HEADER + "\n" + first).encode()
        + b"CU2,A2,,Br"
        + b"\xff\xfe"
        + (b"wn,Al,,01/02/1990,Male,,,01/02/2026\n")
    )
    extract = tmp_path / "custody.csv"
    extract.write_bytes(body)
    result = load_mapped(con, extract, MAPPINGS_DIR / "demo_custody.yaml")
    assert (result["rows_loaded"], result["rows_quarantined"]) == (1, 1)
    line, reason = con.execute("SELECT line, reason FROM quarantine").fetchone()
    assert line == (4 if line_break_in_a_value else 3) and "not UTF-8" in reason


def test_load_mapped_replaces_the_files_earlier_quarantine_rows_when_loaded_again(con, tmp_path):
    rows = f"""
        {CUSTODY_HEADER}
        CU1,A1,,Smith,Jo,,01/02/1990,Female,,,01/02/2026
        ,A2,,Brown,Al,,01/02/1990,Male,,,01/02/2026
        CU3,A3,,,,,01/02/1990,Male,,,01/02/2026
        """
    first = write(tmp_path / "custody.csv", rows)
    other = write(tmp_path / "custody-march.csv", rows)
    custody = MAPPINGS_DIR / "demo_custody.yaml"

    def quarantined():
        return con.execute(
            "SELECT file, line, batch_id FROM quarantine ORDER BY file, line"
        ).fetchall()

    load_mapped(con, first, custody)
    again = load_mapped(con, first, custody)
    assert quarantined() == [(str(first), 3, again["batch_id"]), (str(first), 4, again["batch_id"])]
    # Another file of the same source keeps the first file's rows, unless it is a snapshot.
    load_mapped(con, other, custody)
    assert {file for file, _, _ in quarantined()} == {str(first), str(other)}
    snap = load_mapped(con, other, custody, snapshot=True)
    assert quarantined() == [(str(other), 3, snap["batch_id"]), (str(other), 4, snap["batch_id"])]
