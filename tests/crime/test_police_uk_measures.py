"""Measures on the real Hertfordshire files, against counts made independently from the CSVs."""

import csv
import json
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


def test_period_solve_rate_counts_outcomes_of_crimes_recorded_before_the_first_street_file(
        hertfordshire, police_uk_dir):
    mapping = load_outcome_mapping()
    positive = set(mapping.loc[mapping["is_positive"].astype(str).str.lower() == "true", "outcome_type"])
    first_positive, recorded = {}, set()
    for f in sorted(police_uk_dir.glob("*-outcomes.csv")):
        for r in _rows(f):
            if r["Outcome type"] in positive:
                first_positive.setdefault(r["Crime ID"], r["Month"])
    for f in police_uk_dir.glob("*-street.csv"):
        recorded |= {r["Crime ID"] for r in _rows(f) if r["Crime ID"]}
    in_january = {cid for cid, month in first_positive.items() if month == "2021-01"}
    earlier = in_january - recorded  # crimes recorded before January 2021: 884 (962 outcome rows)

    report = compute_measures(hertfordshire, "all-crime", date(2021, 1, 1), with_patterns=False)
    period = report.figure("solve_rate_period")
    assert period.numerator == len(in_january)
    assert period.earlier_crime_outcomes == len(earlier) == 884 and period.partial
    burglary = compute_measures(hertfordshire, "burglary", date(2021, 1, 1), with_patterns=False)
    assert burglary.figure("solve_rate_period").earlier_crime_outcomes == len(earlier)  # not counted there


def test_areas_of_other_forces_are_grouped_as_outside_the_force_area(hertfordshire):
    from peel.crime.scope import NO_LOCATION, OUTSIDE, list_areas

    districts = list_areas(hertfordshire, "district")
    names = [row[1] for row in districts]
    assert len(districts) == 12 and "Birmingham" not in names  # 10 districts and the two groups
    assert names[-2:] == ["No location", "Outside the force area"]
    outside = hertfordshire.execute(
        """SELECT count(*) FROM crime WHERE district_code NOT IN (
               SELECT district_code FROM crime GROUP BY 1 ORDER BY count(*) DESC LIMIT 10)""").fetchone()[0]
    no_location = hertfordshire.execute("SELECT count(*) FROM crime WHERE lsoa_code IS NULL").fetchone()[0]
    assert {row[0]: row[4] for row in districts}[OUTSIDE] == outside
    assert {row[0]: row[4] for row in districts}[NO_LOCATION] == no_location
    report = compute_measures(hertfordshire, "all-crime", date(2022, 1, 1), with_patterns=False)
    assert [p.name for p in report.places][-2:] == ["No location", "Outside the force area"]
    assert sum(p.crimes for p in report.places) == report.figure("recorded_crimes").value
    birmingham = [row for row in list_areas(hertfordshire, "neighbourhood") if "Birmingham" in (row[3] or "")]
    assert birmingham and all(row[3] == "Outside the force area: Birmingham" for row in birmingham)


def test_measures_json_matches_its_schema_and_carries_months_places_and_tests(hertfordshire):
    import jsonschema

    from peel.crime.report_json import load_schema

    report = compute_measures(hertfordshire, "burglary", date(2022, 1, 1))
    data = json.loads(json.dumps(report.to_dict(), default=str))
    jsonschema.validate(data, load_schema())
    assert len(data["months"]) == 13 and data["months"][0]["month"] == "2021-01-01"
    assert data["places"] and data["figures"][0]["value_text"] == report.figures[0].as_text()
    assert data["patterns"]["not_run"].startswith("the data has 13 months")
