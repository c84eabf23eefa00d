"""Loading data.police.uk files: counts checked against the CSVs read independently with
the csv module, reloads, zips, later months, and each kind of bad input."""

from __future__ import annotations

import csv
import shutil
import zipfile
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peel.cli import app
from peel.sources import police_uk
from peel.sources.outcomes import UNMAPPED_FLAG, get_mapping_path
from peel.sources.police_uk import (
    FAR_FROM_UK_FLAG,
    IngestError,
    collect_files,
    ingest_police_uk,
    stage_files,
)
from peel.warehouse import connect

MONTHS = [f"2021-{m:02d}" for m in range(1, 13)] + ["2022-01"]


def read_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def expected_crimes(folder: Path) -> list[dict]:
    """Street rows a correct load keeps: every row, except a repeated Crime ID within a file
    (the first is kept)."""
    kept = []
    for month in MONTHS:
        seen = set()
        for row in read_rows(folder / f"{month}-hertfordshire-street.csv"):
            if row["Crime ID"] and row["Crime ID"] in seen:
                continue
            seen.add(row["Crime ID"])
            kept.append(row)
    return kept


def positive_wordings() -> set[str]:
    with Path(str(get_mapping_path())).open(newline="", encoding="utf-8") as f:
        return {r["outcome_type"] for r in csv.DictReader(f) if r["is_positive"] == "true"}


def table_contents(con, table: str) -> list[tuple]:
    """Every row of a table without batch_id (a reload is a new batch), sorted."""
    columns = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "AND column_name <> 'batch_id' ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]
    cols = ", ".join(columns)
    return con.execute(f"SELECT {cols} FROM {table} ORDER BY ALL").fetchall()


WAREHOUSE_TABLES = ["crime", "outcome", "area", "quarantine", "police_uk_outcome_origin"]


def copy_months(
    police_uk_dir: Path, target: Path, months: list[str], kinds=("street", "outcomes")
) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for month in months:
        for kind in kinds:
            name = f"{month}-hertfordshire-{kind}.csv"
            shutil.copy(police_uk_dir / name, target / name)
    return target


def write_lines(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def real_lines(police_uk_dir: Path, name: str, count: int) -> list[str]:
    """The header and the first ``count`` data lines of a real file."""
    with (police_uk_dir / name).open(encoding="utf-8") as f:
        return [next(f).rstrip("\n") for _ in range(count + 1)]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, police_uk_dir):
    """One warehouse with all the real Hertfordshire files loaded (shared: a load takes seconds)."""
    con = connect(tmp_path_factory.mktemp("loaded") / "warehouse.duckdb")
    result = ingest_police_uk(con, [police_uk_dir])
    yield con, result
    con.close()


def test_ingest_police_uk_loads_crimes_per_month_and_type_as_in_the_csvs(loaded, police_uk_dir):
    con, _result = loaded
    expected = Counter(
        (r["Month"], r["Crime type"]) for r in expected_crimes(police_uk_dir)
    )
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
    assert found == expected
    assert all(reason.startswith("duplicate Crime ID") for _, _, reason in rows)


def test_ingest_police_uk_solved_burglaries_match_the_mapping(loaded, police_uk_dir):
    con, _ = loaded
    folder = police_uk_dir
    burglary_ids = {r["Crime ID"] for r in expected_crimes(folder) if r["Crime type"] == "Burglary"}
    positive = positive_wordings()
    solved = {
        r["Crime ID"]
        for month in MONTHS
        for r in read_rows(folder / f"{month}-hertfordshire-outcomes.csv")
        if r["Crime ID"] in burglary_ids and r["Outcome type"] in positive
    }
    found = con.execute(
        """SELECT count(DISTINCT c.crime_key) FROM crime c
           JOIN outcome o USING (crime_key) JOIN outcome_mapping m USING (outcome_type)
           WHERE c.crime_type = 'Burglary' AND m.is_positive"""
    ).fetchone()[0]
    assert found == len(solved) > 0
    # and the outcome row's own is_positive agrees with the mapping table
    assert con.execute(
        "SELECT count(DISTINCT crime_key) FROM outcome JOIN crime USING (crime_key) "
        "WHERE crime_type = 'Burglary' AND is_positive"
    ).fetchone()[0] == len(solved)


def test_ingest_police_uk_keeps_several_outcome_rows_for_one_crime(loaded, police_uk_dir):
    con, _ = loaded
    per_crime = Counter(
        r["Crime ID"]
        for month in MONTHS
        for r in read_rows(police_uk_dir / f"{month}-hertfordshire-outcomes.csv")
    )
    expected = sum(1 for n in per_crime.values() if n > 1)
    found = con.execute(
        "SELECT count(*) FROM (SELECT crime_key FROM outcome GROUP BY 1 HAVING count(*) > 1)"
    ).fetchone()[0]
    assert found == expected > 0


def test_ingest_police_uk_derives_force_districts_and_neighbourhoods(loaded, police_uk_dir):
    con, _ = loaded
    crimes = expected_crimes(police_uk_dir)
    lsoas = defaultdict(list)
    for r in crimes:
        if r["LSOA code"]:
            lsoas[r["LSOA code"]].append(r)
    assert con.execute(
        "SELECT area_code, area_name, level FROM area WHERE level = 'force'"
    ).fetchall() == [("hertfordshire-constabulary", "Hertfordshire Constabulary", "force")]
    neighbourhoods = {
        code: (name, parent, lon, lat)
        for code, name, parent, lon, lat in con.execute(
            "SELECT area_code, area_name, parent_code, longitude, latitude FROM area WHERE level = 'neighbourhood'"
        ).fetchall()
    }
    assert set(neighbourhoods) == set(lsoas)
    code = next(c for c, rows in lsoas.items() if rows[0]["LSOA name"].startswith("Broxbourne "))
    _name, parent, lon, lat = neighbourhoods[code]
    assert parent == "Broxbourne"
    assert lon == pytest.approx(sum(float(r["Longitude"]) for r in lsoas[code]) / len(lsoas[code]))
    assert lat == pytest.approx(sum(float(r["Latitude"]) for r in lsoas[code]) / len(lsoas[code]))
    districts = {r["LSOA name"].rsplit(" ", 1)[0] for r in crimes if r["LSOA name"]}
    found = con.execute(
        "SELECT area_code, parent_code FROM area WHERE level = 'district'"
    ).fetchall()
    assert {c for c, _ in found} == districts
    assert {p for _, p in found} == {"hertfordshire-constabulary"}
    unfilled = con.execute(
        "SELECT count(*) FROM crime WHERE lsoa_name IS NOT NULL AND district_code IS NULL"
    ).fetchone()[0]
    assert unfilled == 0


def test_ingest_police_uk_gives_every_crime_its_neighbourhoods_district(loaded, police_uk_dir):
    # Each crime's district is its LSOA name without the last word ('Broxbourne 001A' ->
    # 'Broxbourne'), worked out once per name and joined back: checked row by row here.
    con, _ = loaded

    def district(name: str) -> str | None:
        if " " not in name:
            return None
        return name.rsplit(" ", 1)[0].rstrip() or None

    expected = Counter(
        (r["LSOA name"] or None, district(r["LSOA name"]) if r["LSOA name"] else None)
        for r in expected_crimes(police_uk_dir)
    )
    found = Counter(
        {
            (name, code): n
            for name, code, n in con.execute(
                "SELECT lsoa_name, district_code, count(*) FROM crime GROUP BY ALL"
            ).fetchall()
        }
    )
    assert found == expected


def test_ingest_police_uk_gives_anti_social_behaviour_a_stable_id(loaded, police_uk_dir):
    con, _ = loaded
    rows = read_rows(police_uk_dir / "2021-03-hertfordshire-street.csv")
    asb = [r for r in rows if not r["Crime ID"]]
    asb_lines = [line for line, r in enumerate(rows, start=2) if not r["Crime ID"]]
    assert all(r["Crime type"] == "Anti-social behaviour" for r in asb)
    ids = {
        r[0]
        for r in con.execute(
            "SELECT source_record_id FROM crime WHERE month = DATE '2021-03-01' AND crime_type = 'Anti-social behaviour'"
        ).fetchall()
    }
    assert ids == {f"asb:2021-03:hertfordshire-constabulary:{line}" for line in asb_lines}
    keys = con.execute("SELECT count(*), count(DISTINCT crime_key) FROM crime").fetchone()
    assert keys[0] == keys[1]


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
    files, _ = collect_files([path], tmp_path)
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
    monkeypatch.setattr(police_uk, "FILES_PER_READ", files_per_read)
    contents = {}
    for month, broken_at in (("2021-05", [5, 300]), ("2021-06", []), ("2021-07", [1])):
        name = f"{month}-hertfordshire-street.csv"
        lines = (police_uk_dir / name).read_text(encoding="utf-8").splitlines()
        for at in broken_at:
            lines.insert(at, "broken,row")
        contents[name] = lines
        write_lines(tmp_path / "in" / name, lines)
    con = connect()
    files, _ = collect_files([tmp_path / "in"], tmp_path)
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


def test_ingest_police_uk_reloading_changes_nothing(tmp_path, police_uk_dir, peel_home):
    folder = copy_months(police_uk_dir, tmp_path / "in", ["2021-06", "2021-07"])
    con = connect()
    first = ingest_police_uk(con, [folder])
    before = {t: table_contents(con, t) for t in WAREHOUSE_TABLES}
    second = ingest_police_uk(con, [folder])
    after = {t: table_contents(con, t) for t in WAREHOUSE_TABLES}
    assert before == after
    assert all(before[t] for t in ("crime", "outcome", "area", "police_uk_outcome_origin"))
    assert (first.rows_read, first.rows_loaded) == (second.rows_read, second.rows_loaded)


def test_ingest_police_uk_from_zip_equals_from_folder(tmp_path, police_uk_dir, monkeypatch):
    folder = copy_months(police_uk_dir, tmp_path / "folder", ["2021-08", "2021-09"])
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.iterdir()):
            z.write(path, f"{path.name[:7]}/{path.name}")  # the site nests files in month folders
        z.writestr("2021-08/2021-08-hertfordshire-stop-and-search.csv", "Type,Date\n")
    contents = {}
    for label, source in (("folder", folder), ("zip", archive)):
        monkeypatch.setenv("PEEL_HOME", str(tmp_path / f"home-{label}"))
        con = connect()
        result = ingest_police_uk(con, [source])
        contents[label] = {
            t: table_contents(con, t)
            for t in ("crime", "outcome", "area", "police_uk_outcome_origin")
        }
        con.close()
    assert contents["zip"] == contents["folder"]
    assert any("stop-and-search" in n and "skipped" in n for n in result.notes)
    assert len(result.files) == 4


def test_ingest_police_uk_later_outcomes_month_updates_an_earlier_crime(
    tmp_path, police_uk_dir, peel_home
):
    folder = police_uk_dir
    con = connect()
    ingest_police_uk(
        con,
        [
            folder / "2021-01-hertfordshire-street.csv",
            folder / "2021-01-hertfordshire-outcomes.csv",
        ],
    )
    january_ids = {
        r["Crime ID"]
        for r in read_rows(folder / "2021-01-hertfordshire-street.csv")
        if r["Crime ID"]
    }
    february = read_rows(folder / "2021-02-hertfordshire-outcomes.csv")
    later = next(r for r in february if r["Crime ID"] in january_ids)
    key = "police_uk:" + later["Crime ID"]
    before = con.execute(
        "SELECT month, outcome_type FROM outcome WHERE crime_key = ? ORDER BY ALL", [key]
    ).fetchall()
    ingest_police_uk(con, [folder / "2021-02-hertfordshire-outcomes.csv"])
    after = con.execute(
        "SELECT month, outcome_type FROM outcome WHERE crime_key = ? ORDER BY ALL", [key]
    ).fetchall()
    feb_rows = [r["Outcome type"] for r in february if r["Crime ID"] == later["Crime ID"]]
    assert sorted(after) == sorted(before + [(a, t) for a, t in after if a.month == 2])
    assert sorted(t for a, t in after if a.month == 2) == sorted(feb_rows)

    # A republished January outcomes file without its first row replaces January's rows
    # only: February's stay.
    lines = (folder / "2021-01-hertfordshire-outcomes.csv").read_text(encoding="utf-8").splitlines()
    dropped = next(csv.reader([lines[1]]))[0]
    republished = write_lines(
        tmp_path / "2021-01-hertfordshire-outcomes.csv", [lines[0]] + lines[2:]
    )
    counts = dict(con.execute("SELECT month, count(*) FROM outcome GROUP BY month").fetchall())
    ingest_police_uk(con, [republished])
    new_counts = dict(con.execute("SELECT month, count(*) FROM outcome GROUP BY month").fetchall())
    jan, feb = sorted(counts)
    assert new_counts[jan] == counts[jan] - 1 and new_counts[feb] == counts[feb]
    assert con.execute(
        "SELECT count(*) FROM outcome WHERE crime_key = ? AND month = ?",
        ["police_uk:" + dropped, jan],
    ).fetchone()[0] == sum(1 for line in lines[2:] if line.startswith(dropped + ","))


def test_ingest_police_uk_republished_street_file_updates_last_outcome(
    tmp_path, police_uk_dir, peel_home
):
    lines = real_lines(police_uk_dir, "2021-01-hertfordshire-street.csv", 30)
    first = write_lines(tmp_path / "a" / "2021-01-hertfordshire-street.csv", lines)
    con = connect()
    ingest_police_uk(con, [first])
    row = next(csv.reader([lines[1]]))
    row[10] = "Offender given a caution"
    changed = write_lines(
        tmp_path / "b" / "2021-01-hertfordshire-street.csv", [lines[0], ",".join(row)] + lines[2:]
    )
    ingest_police_uk(con, [changed])
    assert con.execute("SELECT count(*) FROM crime").fetchone()[0] == 30
    assert (
        con.execute(
            "SELECT last_outcome FROM crime WHERE crime_key = ?", ["police_uk:" + row[0]]
        ).fetchone()[0]
        == "Offender given a caution"
    )


# --- bad input --------------------------------------------------------------------------


def warehouse_is_empty(con) -> bool:
    return all(
        con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] == 0
        for t in (
            "crime",
            "outcome",
            "area",
            "quarantine",
            "ingest_batch",
            "police_uk_outcome_origin",
        )
    )


def test_ingest_police_uk_refuses_a_wrong_header_and_writes_nothing(
    tmp_path, police_uk_dir, peel_home
):
    good = copy_months(police_uk_dir, tmp_path / "good", ["2021-01"])
    lines = real_lines(police_uk_dir, "2021-02-hertfordshire-street.csv", 5)
    lines[0] = lines[0].replace("Crime type", "Offence")
    bad = write_lines(tmp_path / "bad" / "2021-02-hertfordshire-street.csv", lines)
    con = connect()
    with pytest.raises(IngestError) as error:
        ingest_police_uk(con, [good, bad])
    message = str(error.value)
    assert "2021-02-hertfordshire-street.csv line 1" in message
    assert "missing Crime type" in message and "unexpected Offence" in message
    assert "Expected 'Crime ID,Month," in message
    assert warehouse_is_empty(con)


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


def street_with(police_uk_dir, tmp_path, edits: dict[int, dict[int, str]], count=20) -> Path:
    """A real 2021-02 street file's first rows with some fields changed: {line: {column: value}}."""
    lines = real_lines(police_uk_dir, "2021-02-hertfordshire-street.csv", count)
    for line, changes in edits.items():
        row = next(csv.reader([lines[line - 1]]))
        for column, value in changes.items():
            row[column] = value
        out = []
        for v in row:
            out.append('"' + v.replace('"', '""') + '"' if ("," in v or '"' in v) else v)
        lines[line - 1] = ",".join(out)
    return write_lines(tmp_path / "2021-02-hertfordshire-street.csv", lines)


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


def test_ingest_police_uk_quarantines_an_outcome_without_crime_id(tmp_path, police_uk_dir, peel_home):
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


def test_ingest_police_uk_republished_street_file_replaces_its_anti_social_behaviour(
    tmp_path, police_uk_dir, peel_home
):
    lines = real_lines(police_uk_dir, "2021-01-hertfordshire-street.csv", 60)
    asb_lines = [i for i, line in enumerate(lines) if i > 0 and line.startswith(",")]
    assert len(asb_lines) >= 2
    con = connect()
    ingest_police_uk(con, [write_lines(tmp_path / "a" / "2021-01-hertfordshire-street.csv", lines)])
    # republished: the first ASB row withdrawn, so every later line moves up by one
    shorter = lines[: asb_lines[0]] + lines[asb_lines[0] + 1 :]
    ingest_police_uk(
        con, [write_lines(tmp_path / "b" / "2021-01-hertfordshire-street.csv", shorter)]
    )
    asb = con.execute(
        "SELECT count(*) FROM crime WHERE crime_type = 'Anti-social behaviour'"
    ).fetchone()[0]
    assert asb == len(asb_lines) - 1
    assert con.execute("SELECT count(*) FROM crime").fetchone()[0] == 59


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


def test_ingest_police_uk_takes_a_crime_in_two_months_from_the_later_file(
    tmp_path, police_uk_dir, peel_home
):
    january = real_lines(police_uk_dir, "2021-01-hertfordshire-street.csv", 10)
    february = real_lines(police_uk_dir, "2021-02-hertfordshire-street.csv", 10)
    moved = next(csv.reader([january[1]]))
    moved[1], moved[10] = "2021-02", "Offender given a caution"
    february.append(",".join(moved))
    con = connect()
    result = ingest_police_uk(
        con,
        [
            write_lines(tmp_path / "2021-01-hertfordshire-street.csv", january),
            write_lines(tmp_path / "2021-02-hertfordshire-street.csv", february),
        ],
    )
    assert con.execute(
        "SELECT month, last_outcome FROM crime WHERE crime_key = ?", ["police_uk:" + moved[0]]
    ).fetchall() == [(date(2021, 2, 1), "Offender given a caution")]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (21, 20, 0)
    assert any("1 street row(s) superseded" in note for note in result.notes)


def test_ingest_police_uk_reloads_one_forces_outcomes_without_touching_anothers(
    tmp_path, police_uk_dir, peel_home
):
    # Two forces' outcomes for the same month in one load, then one force's file
    # republished without its first row: only that force's rows for the month change.
    herts = real_lines(police_uk_dir, "2021-01-hertfordshire-outcomes.csv", 12)
    beds = [herts[0]]
    for line in herts[1:]:
        row = next(csv.reader([line]))
        row[0] = "bd" + row[0][2:]
        row[2] = row[3] = "Bedfordshire Police"
        beds.append(",".join(row))
    con = connect()
    ingest_police_uk(
        con,
        [
            write_lines(tmp_path / "a" / "2021-01-hertfordshire-outcomes.csv", herts),
            write_lines(tmp_path / "a" / "2021-01-bedfordshire-outcomes.csv", beds),
        ],
    )
    assert con.execute("SELECT count(*) FROM outcome").fetchone()[0] == 24
    ingest_police_uk(
        con,
        [write_lines(tmp_path / "b" / "2021-01-bedfordshire-outcomes.csv", beds[:1] + beds[2:])],
    )
    counts = dict(
        con.execute(
            "SELECT left(source_record_id, 2) = 'bd', count(*) FROM outcome GROUP BY 1"
        ).fetchall()
    )
    assert counts == {True: 11, False: 12}
    forces = {
        r[0] for r in con.execute("SELECT area_code FROM area WHERE level = 'force'").fetchall()
    }
    assert forces == {"hertfordshire-constabulary", "bedfordshire-police"}


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
