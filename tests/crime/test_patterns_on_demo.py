"""Pattern detection against the demo force's planted effects (ground truth kept apart in
PEEL_HOME/demo/truth/effects.json)."""

import json
from datetime import date

import pytest

from peel.crime.compute import compute_measures


@pytest.fixture(scope="module")
def truth(county_demo):
    return json.loads((county_demo.home / "demo" / "truth" / "effects.json").read_text())


@pytest.fixture(scope="module")
def march_2026(county_demo):
    return compute_measures(county_demo.con, "residential-burglary", date(2026, 3, 1))


def test_diwali_uplift_is_found_each_year_in_the_planted_districts(march_2026, truth):
    planted = truth["diwali_burglary"]
    diwali = next(e for e in march_2026.patterns.events if e.event_name == "Diwali")
    found = {o.event.day.isoformat(): o for o in diwali.occurrences}
    wrongly_named = 0
    for year in planted["years"]:
        occurrence = found[year["diwali"]]
        districts = [u.area_code for u in occurrence.uplifts if u.area_code]  # most significant first
        assert districts, f"Diwali {year['year']}: no district with a significant rise"
        assert districts[0] in planted["districts"], f"Diwali {year['year']}: strongest rise in {districts[0]}"
        wrongly_named += len(set(districts) - set(planted["districts"]))
    # 10 districts x 4 years are tested; chance clusters may name one more.
    assert wrongly_named <= 1


def test_diwali_uplift_is_placed_in_the_planted_neighbourhoods(march_2026, truth):
    planted = set(truth["diwali_burglary"]["neighbourhoods"])
    diwali = next(e for e in march_2026.patterns.events if e.event_name == "Diwali")
    named = {u.area_code for u in diwali.neighbourhoods}
    precision = len(named & planted) / len(named)
    assert len(named) >= 5
    assert precision >= 0.8, f"{len(named & planted)} of {len(named)} named neighbourhoods are planted ones"


def test_other_calendar_events_show_almost_no_rise(march_2026):
    """Nothing is planted at Christmas or New Year: of the ~80 area-years tested, chance
    may flag one."""
    others = [e for e in march_2026.patterns.events if e.event_name != "Diwali"]
    flagged = sum(len(o.uplifts) for e in others for o in e.occurrences)
    assert flagged <= 1


def test_a_month_with_no_planted_effect_reports_no_pattern(county_demo):
    for month in (date(2026, 3, 1), date(2024, 6, 1), date(2025, 2, 1)):
        report = compute_measures(county_demo.con, "residential-burglary", month)
        assert report.patterns.this_month == [], month
        assert report.patterns.step is None
        assert report.patterns.summary.startswith("No specific trends or patterns emerging")


def test_the_planted_step_change_is_detected_with_its_size(county_demo, truth):
    planted = truth["step_change"]
    crime_type = planted["crime_type"].lower().replace(" ", "-")
    report = compute_measures(county_demo.con, crime_type, date(2026, 2, 1))
    step = report.patterns.step
    assert step is not None
    start = date.fromisoformat(planted["from_month"] + "-01")
    assert abs((step.month.year - start.year) * 12 + step.month.month - start.month) <= 1
    assert abs(step.percent - (planted["factor"] - 1) * 100) < 10


def test_the_12_month_burglary_change_is_small_and_not_significant(march_2026):
    recorded = march_2026.figure("recorded_crimes")
    assert abs(recorded.change_percent) < 5
    assert recorded.significant is False


def test_a_spike_in_the_reporting_month_names_the_neighbourhoods_it_concentrates_in(county_demo, truth):
    # October 2025 holds Diwali: burglary in the planted district is a spike in the reporting month itself.
    report = compute_measures(county_demo.con, "burglary", date(2025, 10, 1))
    spike = next(s for s in report.patterns.this_month if s.area_code in truth["diwali_burglary"]["districts"])
    codes = dict(county_demo.con.execute("SELECT area_name, area_code FROM area").fetchall())
    named = {codes[h.area_name] for h in spike.hotspots}
    assert named and named <= set(truth["diwali_burglary"]["neighbourhoods"])
    assert "concentrated in " + spike.hotspots[0].area_name in report.patterns.summary


def test_detect_patterns_finds_the_diwali_rise_recurring_over_the_years_in_the_planted_districts(march_2026, truth):
    planted = set(truth["diwali_burglary"]["districts"])
    diwali = next(e for e in march_2026.patterns.events if e.event_name == "Diwali")
    districts = {u.area_code for u in diwali.recurring if u.area_code}
    assert districts == planted
    others = [u for e in march_2026.patterns.events if e.event_name != "Diwali" for u in e.recurring]
    assert len(others) <= 1  # nothing planted; of ~20 area-events tested, chance may flag one
