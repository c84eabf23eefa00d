"""Measures on a small warehouse whose every figure can be counted by hand."""

from datetime import date

import pytest

from peel.crime.compute import Figure, compute_measures


def test_compute_measures_counts_solve_rates_by_cohort_and_period(con):
    report = compute_measures(con, "residential-burglary", date(2026, 3, 1), as_of=date(2026, 3, 11), with_patterns=False)
    cohort = report.figure("solve_rate_cohort", "March 2026")
    assert (cohort.numerator, cohort.denominator) == (1, 3)  # c1 solved; c4's charge is after the snapshot
    assert round(cohort.value, 1) == 33.3
    assert cohort.comparison_value == 100.0  # March 2025: c6, cautioned by 9 March 2025
    period = report.figure("solve_rate_period", "March 2026")
    assert (period.numerator, period.denominator) == (2, 3)  # c1 and the older c7
    assert cohort.period == "March 2026 to 11 March"


def test_compute_measures_compares_the_last_complete_12_months(con):
    report = compute_measures(con, "residential-burglary", date(2026, 3, 1), as_of=date(2026, 3, 11), with_patterns=False)
    recorded = report.figure("recorded_crimes")
    assert recorded.period == "March 2025 to February 2026"
    assert (recorded.value, recorded.comparison_value) == (2, 1)  # c6, c7 against c8
    assert recorded.change_percent == 100.0
    assert recorded.significant is False
    assert any("not complete" in note for note in report.notes)


def test_compute_measures_says_when_the_data_does_not_cover_a_comparison(con):
    report = compute_measures(con, "residential-burglary", date(2025, 1, 1), as_of=date(2026, 3, 11))
    recorded = report.figure("recorded_crimes")
    assert recorded.comparison_value is None and recorded.change is None
    assert recorded.partial and recorded.as_text() == "partial: 1"  # c8, in February 2024 to January 2025
    assert "the data covers it from 1 March 2024 only (92.1% of its days)" in recorded.note
    assert recorded.coverage_text() == "92.1% of its days"
    assert report.figure("solve_rate_cohort").coverage_text() == "all of it"
    assert report.figure("solve_rate_cohort").comparison_value is None
    assert report.patterns.summary.startswith("Pattern detection not run: the data has 11 months")


def test_compute_measures_counts_arrests_for_crimes_of_the_type(con):
    report = compute_measures(con, "burglary", date(2026, 3, 1), as_of=date(2026, 3, 11), with_patterns=False)
    assert report.figure("arrests", "March 2026").value == 1  # a2 was for shoplifting


def test_compute_measures_filters_by_district_and_neighbourhood(con):
    north = compute_measures(con, "burglary", date(2026, 3, 1), area="North", as_of=date(2026, 3, 11), with_patterns=False)
    assert north.figure("solve_rate_cohort", "March").denominator == 2
    south = compute_measures(con, "burglary", date(2026, 3, 1), area="N2", as_of=date(2026, 3, 11), with_patterns=False)
    assert south.figure("solve_rate_cohort", "March").denominator == 2
    assert south.scope.area_level == "neighbourhood"


def test_compute_measures_refuses_an_unknown_crime_type_naming_the_known_ones(con):
    with pytest.raises(ValueError, match="residential-burglary"):
        compute_measures(con, "burglery", date(2026, 3, 1))


def test_compute_measures_refuses_a_month_after_the_data(con):
    with pytest.raises(ValueError, match="data ends on 10 March 2026"):
        compute_measures(con, "burglary", date(2026, 4, 1))


def test_compute_measures_counts_the_financial_year_to_date(con):
    report = compute_measures(con, "residential-burglary", date(2026, 3, 1), as_of=date(2026, 3, 11), with_patterns=False)
    fytd = report.figure("recorded_crimes", "2025-26")
    assert fytd.period == "2025-26 to 11 March 2026"
    assert (fytd.value, fytd.comparison_value) == (4, 1)  # c7, c1, c2, c4 against c6
    assert fytd.comparison_period == "2024-25 to 11 March 2025"


def test_an_undated_last_outcome_counts_only_at_the_snapshot_not_as_at_an_earlier_day(con):
    # c2's published last outcome is positive, but it carries no date: it is known as at the
    # snapshot (10 March 2026) and must not be counted "as at" 6 March.
    con.execute("UPDATE crime SET last_outcome = 'Offender given a caution' WHERE crime_key = 'c2'")
    at_snapshot = compute_measures(con, "residential-burglary", date(2026, 3, 1), with_patterns=False)
    assert at_snapshot.figure("solve_rate_cohort", "March 2026").numerator == 2  # c1 and c2
    earlier = compute_measures(con, "residential-burglary", date(2026, 3, 1), as_of=date(2026, 3, 9),
                               with_patterns=False)
    assert earlier.figure("solve_rate_cohort", "March 2026").numerator == 1  # c1, charged on 8 March


def test_figure_texts_show_a_rate_change_in_points_and_a_count_change_with_its_percentage():
    rate = Figure("solve_rate_cohort", "Solve rate", "March 2026", 33.3, "percent", 1, 3,
                  "March 2025", 100.0, change=-66.7)
    assert (rate.as_text(), rate.comparison_text(), rate.change_text()) == ("33.3% (1 solved of 3)", "100.0%", "-66.7 points")
    count = Figure("recorded_crimes", "Recorded crimes", "2025-26", 3535, "count",
                   comparison_period="2024-25", comparison_value=3500, change=35, change_percent=1.0)
    assert (count.as_text(), count.comparison_text(), count.change_text()) == ("3,535", "3,500", "+35 (+1.0%)")
    assert Figure("arrests", "Arrests", "March 2026", 4, "count").change_text() == ""


def _add_outcome_of_an_earlier_crime(con, day=date(2026, 3, 3), lsoa="N1"):
    """A positive outcome whose crime was recorded before the data starts (not in crime)."""
    con.execute(
        """INSERT INTO outcome (crime_key, source_system, source_record_id, batch_id, month, outcome_date,
               outcome_type, outcome_group, is_positive, lsoa_code)
           VALUES ('old1', 'test', 'old1', 1, date_trunc('month', ?::DATE), ?, 'Suspect charged', 'g', TRUE, ?)""",
        [day, day, lsoa],
    )


def test_compute_measures_counts_outcomes_of_crimes_before_the_data_in_all_crime(con):
    _add_outcome_of_an_earlier_crime(con)
    all_crime = compute_measures(con, "all-crime", date(2026, 3, 1), as_of=date(2026, 3, 11), with_patterns=False)
    period = all_crime.figure("solve_rate_period", "March 2026")
    assert period.numerator == 3  # c1, the older c7, and the crime recorded before the data
    assert period.earlier_crime_outcomes == 1 and period.partial
    north = compute_measures(con, "all-crime", date(2026, 3, 1), area="North", as_of=date(2026, 3, 11),
                             with_patterns=False)
    assert north.figure("solve_rate_period", "March 2026").numerator == 3  # placed by its LSOA, N1
    south = compute_measures(con, "all-crime", date(2026, 3, 1), area="South", as_of=date(2026, 3, 11),
                             with_patterns=False)
    assert south.figure("solve_rate_period", "March 2026").numerator == 0


def test_compute_measures_says_a_crime_type_cannot_count_outcomes_of_crimes_of_unknown_type(con):
    _add_outcome_of_an_earlier_crime(con)
    report = compute_measures(con, "burglary", date(2026, 3, 1), as_of=date(2026, 3, 11), with_patterns=False)
    period = report.figure("solve_rate_period", "March 2026")
    assert period.numerator == 2 and period.earlier_crime_outcomes == 1
    assert period.as_text().startswith("partial: ")
    assert period.coverage_text() == "all its days; 1 outcomes of crimes before the data"
    assert "1 positive outcomes in March 2026 to 11 March are of crimes recorded before March 2024" in period.note


def test_compute_measures_says_not_available_without_outcomes_or_custody_records(con):
    con.execute("DELETE FROM outcome")
    con.execute("DELETE FROM arrest")
    report = compute_measures(con, "burglary", date(2026, 3, 1), as_of=date(2026, 3, 11), with_patterns=False)
    period = report.figure("solve_rate_period", "March 2026")
    assert period.value is None and period.as_text() == "not available"
    assert "no outcomes assigned in March 2026 to 11 March are loaded" in period.not_available
    assert report.figure("solve_rate_cohort", "March 2026").as_text() == "not available"  # no last outcomes either
    arrests = report.figure("arrests", "March 2026")
    assert arrests.value is None and "no custody records are loaded" in arrests.not_available


def test_compute_measures_marks_a_financial_year_whose_first_months_were_never_loaded(con):
    report = compute_measures(con, "burglary", date(2024, 5, 1), as_of=date(2026, 3, 11), with_patterns=False)
    fytd = report.figure("recorded_crimes", "2024-25")
    assert fytd.coverage == 1.0 and not fytd.partial  # April 2024 on: all loaded
    report = compute_measures(con, "burglary", date(2024, 3, 1), as_of=date(2026, 3, 11), with_patterns=False)
    fytd = report.figure("recorded_crimes", "2023-24")
    assert fytd.partial and fytd.as_text() == "partial: 1"  # c8: April 2023 to February 2024 never loaded
    assert fytd.comparison_value is None and "it is not the year to date" in fytd.note


def test_figure_change_words_agree_with_the_table_and_round_halves_away_from_zero():
    count = Figure("recorded_crimes", "Crimes recorded", "2025-26", 988, "crimes", comparison_period="2024-25",
                   comparison_value=1000, change=-12, change_percent=-1.2)
    assert count.change_text() == "-12 (-1.2%)"
    assert count.change_words() == "decreased by 1.2% (-12)"
    rate = Figure("solve_rate_period", "Solve rate", "March 2026", 2.5, "percent", 1, 40,
                  "March 2025", 0.25, change=2.25)
    assert (rate.as_text(), rate.comparison_text(), rate.change_text()) == ("2.5% (1 solved of 40)", "0.3%", "+2.3 points")
    assert rate.change_words() == "increased by 2.3 points"
