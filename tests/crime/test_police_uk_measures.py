"""Measures on the real Hertfordshire files, against counts made independently from the CSVs."""

import csv
from datetime import date

import pytest

from peel.crime.compute import compute_measures
from peel.sources.outcomes import load_outcome_mapping
from peel.sources.police_uk import ingest_police_uk
from peel.warehouse import connect


def _rows(path):
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def hertfordshire(tmp_path_factory, police_uk_dir):
    con = connect(tmp_path_factory.mktemp("herts") / "warehouse.duckdb")
    ingest_police_uk(con, [police_uk_dir])
    yield con
    con.close()


def test_burglary_solve_rates_match_the_csvs(hertfordshire, police_uk_dir):
    folder = police_uk_dir
    mapping = load_outcome_mapping()
    positive = set(mapping.loc[mapping["is_positive"].astype(str).str.lower() == "true", "outcome_type"])
    june = {}
    for row in _rows(folder / "2021-06-hertfordshire-street.csv"):
        if row["Crime type"] == "Burglary":
            june.setdefault(row["Crime ID"], row)  # a repeated id is loaded once
    solved_by_row = {
        r["Crime ID"]
        for f in sorted(folder.glob("*-outcomes.csv"))
        for r in _rows(f)
        if r["Crime ID"] in june and r["Outcome type"] in positive
    }
    solved = {cid for cid, row in june.items() if row["Last outcome category"] in positive} | solved_by_row
    positive_in_june = {
        r["Crime ID"] for r in _rows(folder / "2021-06-hertfordshire-outcomes.csv") if r["Outcome type"] in positive
    }

    report = compute_measures(hertfordshire, "burglary", date(2021, 6, 1), with_patterns=False)
    cohort = report.figure("solve_rate_cohort")
    assert (cohort.numerator, cohort.denominator) == (len(solved), len(june))
    assert report.figure("recorded_crimes").comparison_value is None  # 2020 is not in the data
    period = report.figure("solve_rate_period")
    # first positive outcome assigned in June 2021, for burglaries of any month
    all_burglary = {r["Crime ID"] for f in folder.glob("*-street.csv") for r in _rows(f) if r["Crime type"] == "Burglary"}
    first_positive = {}
    for f in sorted(folder.glob("*-outcomes.csv")):
        for r in _rows(f):
            if r["Crime ID"] in all_burglary and r["Outcome type"] in positive:
                first_positive.setdefault(r["Crime ID"], r["Month"])
    assert period.numerator == sum(1 for m in first_positive.values() if m == "2021-06")
    assert positive_in_june  # the month has positive outcomes to count


def test_recorded_burglaries_over_12_months_match_the_csvs(hertfordshire, police_uk_dir):
    folder = police_uk_dir
    expected = 0
    for month in range(2, 13):
        ids = {r["Crime ID"] for r in _rows(folder / f"2021-{month:02d}-hertfordshire-street.csv") if r["Crime type"] == "Burglary"}
        expected += len(ids)
    ids = {r["Crime ID"] for r in _rows(folder / "2022-01-hertfordshire-street.csv") if r["Crime type"] == "Burglary"}
    expected += len(ids)
    report = compute_measures(hertfordshire, "burglary", date(2022, 1, 1), with_patterns=False)
    assert report.figure("recorded_crimes").value == expected


def test_patterns_say_calendar_events_need_day_dates_which_police_uk_lacks(hertfordshire):
    report = compute_measures(hertfordshire, "burglary", date(2022, 1, 1))
    assert report.patterns.events == []
    assert "need the day each crime was recorded" in report.patterns.events_not_run
