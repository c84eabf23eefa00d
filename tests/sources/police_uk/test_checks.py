"""Row checks on police.uk files: bad rows quarantined with file, line and reason, or flagged."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.sources.police_uk.real_files import (
    MONTHS,
    read_rows,
    real_lines,
    street_with,
    warehouse_is_empty,
    write_lines,
)

from peel.sources.outcomes import UNMAPPED_FLAG
from peel.sources.police_uk import (
    FAR_FROM_UK_FLAG,
    IngestError,
    ingest_police_uk,
)
from peel.warehouse import connect


def test_ingest_police_uk_quarantines_a_repeated_crime_id_with_its_line(loaded, police_uk_dir):
    con, _ = loaded
    expected = set()
    for month in MONTHS:
        name = f"{month}-hertfordshire-street.csv"
        first_line = {}
        for line, row in enumerate(read_rows(police_uk_dir / name), start=2):
            crime_id = row["Crime ID"]
            if crime_id and crime_id in first_line:
                expected.add((name, line, first_line[crime_id]))
            first_line.setdefault(crime_id, line)
    rows = con.execute("SELECT file, line, reason FROM quarantine").fetchall()
    found = {
        (Path(f).name, line, int(reason.split("line ")[1].split()[0])) for f, line, reason in rows
    }
    assert len(expected) == 4  # the real files repeat four Crime IDs (docs/ingest.md)
    assert found == expected
    assert all(reason.startswith("duplicate Crime ID") for _, _, reason in rows)


@pytest.mark.parametrize(
    "line, changes, reason",
    [
        (3, {1: "Feb 2021"}, "bad Month 'Feb 2021': expected YYYY-MM"),
        (4, {1: "2021-03"}, "Month 2021-03 does not match the file name's month 2021-02"),
        (5, {4: "west"}, "bad coordinate: Longitude 'west' is not a number"),
        (6, {5: "95.1"}, "bad coordinate: Latitude 95.1 is outside -90..90"),
        (7, {4: "-181"}, "bad coordinate: Longitude -181 is outside -180..180"),
        (8, {0: "", 9: "Burglary"}, "missing Crime ID on a 'Burglary' row"),
        (9, {9: "Dragon theft"}, "unknown crime type 'Dragon theft'"),
    ],
)
def test_ingest_police_uk_quarantines_a_bad_row_and_loads_the_rest(
    tmp_path, police_uk_dir, peel_home, line, changes, reason
):
    path = street_with(police_uk_dir, tmp_path, {line: changes})
    con = connect()
    result = ingest_police_uk(con, [path])
    rows = con.execute("SELECT file, line, reason, raw FROM quarantine").fetchall()
    assert len(rows) == 1
    file, qline, qreason, raw = rows[0]
    assert (Path(file).name, qline) == ("2021-02-hertfordshire-street.csv", line)
    assert qreason.startswith(reason)
    assert raw == path.read_text(encoding="utf-8").splitlines()[line - 1]
    assert con.execute("SELECT count(*) FROM crime").fetchone()[0] == 19
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (20, 19, 1)
    assert any(f"line {line}: " in p for p in result.problems)


def test_ingest_police_uk_strict_fails_on_a_bad_row_and_writes_nothing(
    tmp_path, police_uk_dir, peel_home
):
    path = street_with(police_uk_dir, tmp_path, {3: {1: "Feb 2021"}})
    con = connect()
    with pytest.raises(IngestError) as error:
        ingest_police_uk(con, [path], strict=True)
    assert "2021-02-hertfordshire-street.csv line 3: bad Month" in str(error.value)
    assert warehouse_is_empty(con)


def test_ingest_police_uk_flags_coordinates_far_outside_the_uk_but_loads_them(
    tmp_path, police_uk_dir, peel_home
):
    path = street_with(police_uk_dir, tmp_path, {4: {4: "151.2", 5: "-33.9"}})
    con = connect()
    result = ingest_police_uk(con, [path])
    assert con.execute("SELECT count(*) FROM crime").fetchone()[0] == 20
    assert result.rows_flagged == 1 and result.rows_quarantined == 0
    assert any(p.endswith(f"line 4: {FAR_FROM_UK_FLAG}") for p in result.problems)


def test_ingest_police_uk_keeps_an_unknown_outcome_wording_flagged(
    tmp_path, police_uk_dir, peel_home
):
    lines = real_lines(police_uk_dir, "2021-02-hertfordshire-outcomes.csv", 10)
    row = next(csv.reader([lines[2]]))
    row[9] = "Offender given a stern talking-to"
    lines[2] = ",".join(row)
    path = write_lines(tmp_path / "2021-02-hertfordshire-outcomes.csv", lines)
    con = connect()
    result = ingest_police_uk(con, [path])
    assert con.execute("SELECT count(*) FROM outcome").fetchone()[0] == 10
    assert con.execute(
        "SELECT outcome_group, is_positive, flagged FROM outcome WHERE outcome_type = ?", [row[9]]
    ).fetchall() == [("Unmapped", None, UNMAPPED_FLAG)]
    assert result.rows_flagged == 1
    assert any(
        "line 3: Outcome type 'Offender given a stern talking-to'" in p for p in result.problems
    )


def test_ingest_police_uk_quarantines_an_outcome_without_crime_id(
    tmp_path, police_uk_dir, peel_home
):
    lines = real_lines(police_uk_dir, "2021-02-hertfordshire-outcomes.csv", 10)
    lines[4] = lines[4][lines[4].index(",") :]  # no Crime ID
    path = write_lines(tmp_path / "2021-02-hertfordshire-outcomes.csv", lines)
    con = connect()
    ingest_police_uk(con, [path])
    assert con.execute("SELECT line, reason FROM quarantine").fetchall() == [
        (5, "missing Crime ID: an outcome must name its crime")
    ]
    assert con.execute("SELECT count(*) FROM outcome").fetchone()[0] == 9


def test_ingest_police_uk_quarantines_an_outcome_row_exactly_as_read(
    tmp_path, police_uk_dir, peel_home
):
    # Outcome rows are staged with only the columns the warehouse needs: a refused row must
    # still reach the quarantine whole, quoted fields and all.
    lines = real_lines(police_uk_dir, "2021-02-hertfordshire-outcomes.csv", 10)
    row = next(csv.reader([lines[3]]))
    row[1] = "2021-03"  # not the file name's month
    row[6] = 'On or near "The Parade", High Street'
    lines[3] = ",".join(
        '"' + v.replace('"', '""') + '"' if "," in v or '"' in v else v for v in row
    )
    path = write_lines(tmp_path / "2021-02-hertfordshire-outcomes.csv", lines)
    con = connect()
    result = ingest_police_uk(con, [path])
    assert con.execute("SELECT line, reason, raw FROM quarantine").fetchall() == [
        (4, "Month 2021-03 does not match the file name's month 2021-02", lines[3])
    ]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (10, 9, 1)
    assert con.execute("SELECT count(*) FROM outcome").fetchone()[0] == 9


def test_ingest_police_uk_reloading_a_file_replaces_its_quarantine_rows(
    tmp_path, police_uk_dir, peel_home
):
    path = street_with(police_uk_dir, tmp_path, {3: {1: "Feb 2021"}})
    con = connect()
    first = ingest_police_uk(con, [path])
    second = ingest_police_uk(con, [path])
    assert con.execute("SELECT batch_id, line FROM quarantine").fetchall() == [(second.batch_id, 3)]
    assert first.batch_id != second.batch_id
    assert con.execute("SELECT count(*) FROM crime").fetchone()[0] == 19
