"""Reading police.uk files into staging: line numbers as the file has them, truncated or
overlapping files refused."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.sources.police_uk.real_files import (
    real_lines,
    warehouse_is_empty,
    write_lines,
)

from peel.sources.police_uk import (
    IngestError,
    collect_files,
    ingest_police_uk,
    stage,
    stage_files,
)
from peel.warehouse import connect


def test_stage_files_line_numbers_match_the_file(tmp_path, police_uk_dir, peel_home):
    # A real file with two rows the CSV reader refuses in the middle: the line numbers of
    # the rows after them must still be the real ones.
    lines = (
        (police_uk_dir / "2021-05-hertfordshire-street.csv")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    lines.insert(5, "broken,2021-05,too,few,fields")
    lines.insert(300, "also broken,2021-05")
    path = write_lines(tmp_path / "2021-05-hertfordshire-street.csv", lines)
    con = connect()
    files, _ = collect_files([path], lambda: tmp_path)
    stage_files(con, files)
    staged = con.execute(
        "SELECT line, crime_id, location, crime_type FROM stg_street_lines ORDER BY line"
    ).fetchall()
    assert len(staged) == len(lines) - 3
    for line, crime_id, location, crime_type in staged:
        row = next(csv.reader([lines[line - 1]]))
        assert (row[0] or None, row[6] or None, row[9]) == (crime_id, location, crime_type)
    rejected = con.execute("SELECT line FROM stg_reject ORDER BY line").fetchall()
    assert rejected == [(6,), (301,)]


@pytest.mark.parametrize("files_per_read", [2, 32])
def test_stage_files_line_numbers_match_each_file_when_read_together(
    tmp_path, police_uk_dir, peel_home, monkeypatch, files_per_read
):
    # Three files in one read (or split across reads), unparseable lines in two of them.
    monkeypatch.setattr(stage, "FILES_PER_READ", files_per_read)
    contents = {}
    for month, broken_at in (("2021-05", [5, 300]), ("2021-06", []), ("2021-07", [1])):
        name = f"{month}-hertfordshire-street.csv"
        lines = (police_uk_dir / name).read_text(encoding="utf-8").splitlines()
        for at in broken_at:
            lines.insert(at, "broken,row")
        contents[name] = lines
        write_lines(tmp_path / "in" / name, lines)
    con = connect()
    files, _ = collect_files([tmp_path / "in"], lambda: tmp_path)
    stage_files(con, files)
    staged = con.execute(
        "SELECT file_name, line, crime_id, location, crime_type FROM stg_street_lines"
    ).fetchall()
    assert len(staged) == sum(len(lines) - 1 for lines in contents.values()) - 3
    for file_name, line, crime_id, location, crime_type in staged:
        row = next(csv.reader([contents[Path(file_name).name][line - 1]]))
        assert (row[0] or None, row[6] or None, row[9]) == (crime_id, location, crime_type)
    rejected = con.execute(
        "SELECT f.name, r.line FROM stg_reject r JOIN stg_file f USING (file_id) ORDER BY ALL"
    ).fetchall()
    assert [(Path(n).name, line) for n, line in rejected] == [
        ("2021-05-hertfordshire-street.csv", 6),
        ("2021-05-hertfordshire-street.csv", 301),
        ("2021-07-hertfordshire-street.csv", 2),
    ]


@pytest.mark.parametrize(
    "last_line, why",
    [
        (
            "abc123,2021-02,Hertfordshire Constabulary,Hertfordshire Constabulary,-0.2,51.7,On or near X",
            "MISSING COLUMNS",
        ),
        (
            'abc123,2021-02,Hertfordshire Constabulary,Hertfordshire Constabulary,-0.2,51.7,"On or near X,E01,Broxbourne 001A,Burglary,,',
            "UNQUOTED VALUE",
        ),
    ],
    ids=["missing fields", "unclosed quote"],
)
def test_ingest_police_uk_refuses_a_truncated_file_and_writes_nothing(
    tmp_path, police_uk_dir, peel_home, last_line, why
):
    lines = real_lines(police_uk_dir, "2021-02-hertfordshire-street.csv", 20) + [last_line]
    path = write_lines(tmp_path / "2021-02-hertfordshire-street.csv", lines)
    con = connect()
    with pytest.raises(IngestError) as error:
        ingest_police_uk(con, [path])
    assert "2021-02-hertfordshire-street.csv line 22" in str(error.value)
    assert why in str(error.value) and "truncated" in str(error.value)
    assert warehouse_is_empty(con)


def test_ingest_police_uk_counts_lines_past_blank_lines(tmp_path, police_uk_dir, peel_home):
    # The CSV reader skips blank lines silently; a bad row after one must still be reported
    # on its real line.
    lines = real_lines(police_uk_dir, "2021-02-hertfordshire-street.csv", 10)
    lines[1:1] = ["", ""]
    row = next(csv.reader([lines[8]]))
    row[1] = "2021-13"
    lines[8] = ",".join(row)
    path = write_lines(tmp_path / "2021-02-hertfordshire-street.csv", lines + [""])
    con = connect()
    result = ingest_police_uk(con, [path])
    assert con.execute("SELECT line, reason FROM quarantine").fetchall() == [
        (9, "bad Month '2021-13': expected YYYY-MM")
    ]
    assert (result.rows_read, result.rows_loaded) == (10, 9)


def test_ingest_police_uk_notes_rows_that_span_several_lines(tmp_path, police_uk_dir, peel_home):
    lines = real_lines(police_uk_dir, "2021-02-hertfordshire-street.csv", 5)
    row = next(csv.reader([lines[2]]))
    row[6] = "On or near\nTwo Lines"
    lines[2] = ",".join(f'"{v}"' for v in row)
    path = write_lines(tmp_path / "2021-02-hertfordshire-street.csv", lines)
    con = connect()
    result = ingest_police_uk(con, [path])
    assert result.rows_loaded == 5
    assert any("span several lines" in note for note in result.notes)


def test_ingest_police_uk_refuses_two_street_files_for_one_month_and_force(
    tmp_path, police_uk_dir, peel_home
):
    lines = real_lines(police_uk_dir, "2021-01-hertfordshire-street.csv", 20)
    first = write_lines(tmp_path / "2021-01-hertfordshire-street.csv", lines)
    renamed = write_lines(tmp_path / "2021-01-herts-street.csv", lines)
    con = connect()
    with pytest.raises(IngestError) as error:
        ingest_police_uk(con, [first, renamed])
    assert "both hold anti-social behaviour for 2021-01" in str(error.value)
    assert warehouse_is_empty(con)


def write_street_with_long_row(police_uk_dir: Path, path: Path, location_bytes: int) -> Path:
    """A real street file's first rows, the third with a Location of ``location_bytes``
    (written in pieces: a 200 MB row is never held in memory), and after it an anti-social
    behaviour row, whose id carries its line."""
    lines = real_lines(police_uk_dir, "2021-02-hertfordshire-street.csv", 40)
    header, rows = lines[0], [next(csv.reader([line])) for line in lines[1:]]
    asb = next(r for r in rows if not r[0])
    crimes = [r for r in rows if r[0]][:4]
    long_row = list(crimes[2])
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(header + "\n")
        for row in crimes[:2]:
            csv.writer(f, lineterminator="\n").writerow(row)
        f.write(",".join(long_row[:6]) + ",")  # line 4
        for start in range(0, location_bytes, 1 << 20):
            f.write("X" * min(1 << 20, location_bytes - start))
        f.write("," + ",".join(long_row[7:]) + "\n")
        csv.writer(f, lineterminator="\n").writerows([asb, crimes[3]])  # lines 5 and 6
    return path


@pytest.mark.parametrize("megabytes", [3, 200])
def test_ingest_police_uk_quarantines_a_row_too_long_to_read(
    tmp_path, police_uk_dir, peel_home, megabytes
):
    # DuckDB reports a 3 MB line as a reject without a column, and leaves a 200 MB line out
    # without a word: both must be quarantined on their line, and the ids after them kept.
    # The 200 MB file costs about 4 s and 300 MB of memory (the reader's buffers).
    path = write_street_with_long_row(
        police_uk_dir, tmp_path / "2021-02-hertfordshire-street.csv", megabytes * 1_000_000
    )
    con = connect()
    result = ingest_police_uk(con, [path])
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 4, 1)
    assert result.rows_flagged == 0
    [(line, reason, raw_length)] = con.execute(
        "SELECT line, reason, length(raw) FROM quarantine"
    ).fetchall()
    assert line == 4 and raw_length == 10_000
    assert reason.startswith(f"line too long to be a row: {megabytes},000,")
    asb_ids = con.execute(
        "SELECT source_record_id FROM crime WHERE source_record_id LIKE 'asb:%'"
    ).fetchall()
    assert [i.rsplit(":", 1)[1] for (i,) in asb_ids] == ["5"]


def test_ingest_police_uk_strict_refuses_a_row_too_long_to_read(tmp_path, police_uk_dir, peel_home):
    path = write_street_with_long_row(
        police_uk_dir, tmp_path / "2021-02-hertfordshire-street.csv", 3_000_000
    )
    con = connect()
    with pytest.raises(IngestError) as error:
        ingest_police_uk(con, [path], strict=True)
    assert "2021-02-hertfordshire-street.csv line 4: line too long to be a row" in str(error.value)
    assert warehouse_is_empty(con)
