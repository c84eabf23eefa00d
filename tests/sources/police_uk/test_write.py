"""Writing police.uk loads: crimes, outcomes and areas as the files say, reloads replacing."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date

import pytest
from tests.sources.police_uk.real_files import (
    MONTHS,
    WAREHOUSE_TABLES,
    copy_months,
    expected_crimes,
    positive_wordings,
    read_rows,
    real_lines,
    table_contents,
    write_lines,
)

from peel.sources.police_uk import (
    ingest_police_uk,
)
from peel.warehouse import connect


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
    assert asb and all(r["Crime type"] == "Anti-social behaviour" for r in asb)
    ids = {
        r[0]
        for r in con.execute(
            "SELECT source_record_id FROM crime WHERE month = DATE '2021-03-01' AND crime_type = 'Anti-social behaviour'"
        ).fetchall()
    }
    assert ids == {f"asb:2021-03:hertfordshire-constabulary:{line}" for line in asb_lines}
    keys = con.execute("SELECT count(*), count(DISTINCT crime_key) FROM crime").fetchone()
    assert keys[0] == keys[1]


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
