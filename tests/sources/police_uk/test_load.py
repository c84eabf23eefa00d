"""Loading data.police.uk files: counts checked against the real files, and the command."""

from __future__ import annotations

from collections import Counter

from tests.sources.police_uk.real_files import (
    MONTHS,
    copy_months,
    expected_crimes,
    read_rows,
    real_lines,
    write_lines,
)
from typer.testing import CliRunner

from peel.cli import app


def test_ingest_police_uk_loads_crimes_per_month_and_type_as_in_the_csvs(loaded, police_uk_dir):
    con, _result = loaded
    expected = Counter((r["Month"], r["Crime type"]) for r in expected_crimes(police_uk_dir))
    found = Counter(
        {
            (month.strftime("%Y-%m"), crime_type): n
            for month, crime_type, n in con.execute(
                "SELECT month, crime_type, count(*) FROM crime GROUP BY ALL"
            ).fetchall()
        }
    )
    assert found == expected
    burglaries = {m: n for (m, t), n in expected.items() if t == "Burglary"}
    assert len(burglaries) == 13 and all(n > 0 for n in burglaries.values())


def test_ingest_police_uk_loads_every_outcome_row_per_month(loaded, police_uk_dir):
    con, _ = loaded
    expected = {
        month: len(read_rows(police_uk_dir / f"{month}-hertfordshire-outcomes.csv"))
        for month in MONTHS
    }
    found = {
        m.strftime("%Y-%m"): n
        for m, n in con.execute("SELECT month, count(*) FROM outcome GROUP BY month").fetchall()
    }
    assert found == expected


def test_ingest_police_uk_counts_rows_read_loaded_and_quarantined(loaded, police_uk_dir):
    con, result = loaded
    read = sum(len(read_rows(p)) for p in (police_uk_dir).glob("*.csv"))
    assert result.rows_read == read
    assert result.rows_quarantined == 4  # four repeated Crime IDs, see the test below
    assert result.rows_loaded == read - 4
    assert result.rows_flagged == 0
    batch = con.execute(
        "SELECT rows_read, rows_loaded, rows_quarantined FROM ingest_batch WHERE batch_id = ?",
        [result.batch_id],
    ).fetchone()
    assert batch == (read, read - 4, 4)
    for table in ("crime", "outcome", "area"):
        assert (
            con.execute(
                f"SELECT count(*) FROM {table} WHERE batch_id <> ?", [result.batch_id]
            ).fetchone()[0]
            == 0
        )


def test_police_uk_command_prints_a_summary(tmp_path, police_uk_dir, peel_home):
    folder = copy_months(police_uk_dir, tmp_path / "in", ["2021-04"])
    result = CliRunner().invoke(app, ["ingest", "police-uk", str(folder)])
    assert result.exit_code == 0, result.output
    street = len(read_rows(folder / "2021-04-hertfordshire-street.csv"))
    outcomes = len(read_rows(folder / "2021-04-hertfordshire-outcomes.csv"))
    assert (
        f"2 files, {street + outcomes:,} rows read, {street + outcomes:,} loaded, 0 quarantined, 0 flagged"
        in " ".join(result.output.split())
    )


def test_police_uk_command_fails_with_a_message_not_a_traceback(tmp_path, police_uk_dir, peel_home):
    lines = real_lines(police_uk_dir, "2021-02-hertfordshire-street.csv", 3)
    lines[0] = "Crime ID,Month"
    path = write_lines(tmp_path / "2021-02-hertfordshire-street.csv", lines)
    result = CliRunner().invoke(app, ["ingest", "police-uk", str(path)])
    assert result.exit_code == 1
    assert "wrong header" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
