"""The declared measures against an independent count of the generated records, made in
pandas with Python's own time-zone database rather than the measures' SQL."""

from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from peel.control_room.performance import measure_performance

LONDON = ZoneInfo("Europe/London")
TARGETS = {("emergency", False): 15, ("emergency", True): 20, ("priority", False): 60, ("priority", True): 60}


@pytest.fixture(scope="module")
def calls(control_room_demo):
    frame = control_room_demo.con.execute("SELECT * FROM cr_call").df()
    frame["local"] = [t.astimezone(LONDON) for t in frame["received_at"].tolist()]
    return frame


@pytest.fixture(scope="module")
def incidents(control_room_demo):
    frame = control_room_demo.con.execute("SELECT * FROM cr_incident").df()
    frame["local"] = [t.astimezone(LONDON) for t in frame["created_at"].tolist()]
    return frame


def test_measure_performance_999_by_month_matches_a_count_of_the_calls(control_room_demo, calls):
    got = measure_performance(control_room_demo.con, "cr_999_answered_in_10s", date(2025, 1, 1),
                              date(2026, 1, 1), by="month")
    year = calls[(calls["channel"] == "999") & calls["local"].map(lambda t: t.year == 2025)]
    month = year["local"].map(lambda t: f"{t:%Y-%m}")
    in_time = (~year["abandoned"]) & (year["wait_seconds"] <= 10)
    expected = in_time.groupby(month).agg(["sum", "count"])
    assert [(p.slot, p.numerator, p.denominator) for p in got] == [
        (m, int(r["sum"]), int(r["count"])) for m, r in expected.iterrows()]
    assert len(got) == 12


def test_measure_performance_101_abandoned_by_area_matches_a_count(control_room_demo, calls):
    got = measure_performance(control_room_demo.con, "cr_101_abandoned", date(2025, 6, 1), date(2025, 7, 1),
                              by="area")
    june = calls[(calls["channel"] == "101") & calls["local"].map(lambda t: (t.year, t.month) == (2025, 6))]
    expected = june["abandoned"].groupby(june["district_code"]).agg(["sum", "count"])
    assert {p.slot: (p.numerator, p.denominator) for p in got} == {
        d: (int(r["sum"]), int(r["count"])) for d, r in expected.iterrows()}


def test_measure_performance_101_answer_time_is_the_mean_wait_of_answered_calls(control_room_demo, calls):
    got = measure_performance(control_room_demo.con, "cr_101_mean_answer_seconds", date(2025, 3, 1),
                              date(2025, 4, 1))
    march = calls[(calls["channel"] == "101") & ~calls["abandoned"]
                  & calls["local"].map(lambda t: (t.year, t.month) == (2025, 3))]
    assert got[0].value == pytest.approx(march["wait_seconds"].mean())


@pytest.mark.parametrize("grade", ["emergency", "priority"])
def test_measure_performance_attendance_by_local_hour_matches_a_count(control_room_demo, incidents, grade):
    got = measure_performance(control_room_demo.con, "cr_attendance_in_target", date(2025, 1, 1),
                              date(2026, 1, 1), by="hour", grade=grade)
    year = incidents[(incidents["grade"] == grade) & incidents["local"].map(lambda t: t.year == 2025)]
    minutes = (year["arrived_at"] - year["created_at"]).dt.total_seconds() / 60
    target = [TARGETS[(grade, r)] for r in year["rural"]]
    met = minutes <= target
    expected = met.groupby(year["local"].map(lambda t: f"{t:%H}")).agg(["sum", "count"])
    assert [(p.slot, p.numerator, p.denominator) for p in got] == [
        (h, int(r["sum"]), int(r["count"])) for h, r in expected.iterrows()]
    assert len(got) == 24


def test_measure_performance_refuses_an_unknown_grade(control_room_demo):
    with pytest.raises(ValueError, match="Unknown grade 'urgent'"):
        measure_performance(control_room_demo.con, "cr_attendance_in_target", date(2025, 1, 1),
                            date(2025, 2, 1), grade="urgent")


def test_measure_performance_counts_the_autumn_day_in_its_25_local_hours(control_room_demo, calls):
    # 26 October 2025: 01:00-02:00 happens twice; both hours' calls belong to that day.
    got = measure_performance(control_room_demo.con, "cr_999_answered_in_10s", date(2025, 10, 26),
                              date(2025, 10, 27), by="day")
    day = calls[(calls["channel"] == "999") & calls["local"].map(lambda t: t.date() == date(2025, 10, 26))]
    assert [(p.slot, p.denominator) for p in got] == [("2025-10-26", len(day))]
    assert pd.Series([t.utcoffset().total_seconds() for t in day["local"]]).nunique() == 2
