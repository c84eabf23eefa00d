"""Response officers by shift pattern: the simpy simulation against a count by hand, and the
fewest officers per shift for each declared pattern on the small control room's week."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from peel.control_room.demand import hourly_demand
from peel.control_room.response import (
    attended_within,
    draw_week,
    duty_times,
    officers_by_pattern,
    officers_needed,
    past_jobs,
    simulate_attendance,
)
from peel.control_room.standards import get_standards

WEEK = date(2025, 11, 3)


def test_simulate_attendance_matches_a_count_by_hand():
    # One officer 07:00-15:00 on day one and again on day two; minutes from midnight.
    arrivals = np.array([480.0, 490.0, 960.0])  # 08:00, 08:10, 16:00 (nobody on duty)
    reached = simulate_attendance(arrivals, travel=np.array([5.0, 5.0, 5.0]),
                                  on_scene=np.array([55.0, 10.0, 10.0]), duty=[(420, 900), (1860, 2340)])
    # 08:00: free, 5 min away. 08:10: waits for the first job to end at 09:00, then 5 min:
    # 50 + 5. 16:00: waits for the next day's 07:00 shift (900 min), then 5 min.
    assert list(reached) == [5.0, 55.0, 905.0]


def test_simulate_attendance_sends_an_officer_home_after_a_job_past_the_shift_end():
    reached = simulate_attendance(np.array([480.0, 490.0]), np.array([5.0, 5.0]), np.array([55.0, 10.0]),
                                  duty=[(420, 500)])
    assert reached[0] == 5.0 and np.isinf(reached[1])  # back at 09:00, off duty since 08:20


def test_simulate_attendance_sends_the_next_free_officer_to_the_emergency_first():
    # One officer 07:00-15:00, out on a job from 08:00 to 09:00; a priority incident at 08:10
    # and an emergency at 08:20 wait. At 09:00 the emergency goes first (40 + 5 minutes);
    # the priority incident follows when that job ends at 09:15 (65 + 5).
    reached = simulate_attendance(np.array([480.0, 490.0, 500.0]), travel=np.array([5.0, 5.0, 5.0]),
                                  on_scene=np.array([55.0, 10.0, 10.0]), duty=[(420, 900)],
                                  ranks=np.array([1, 1, 0]))
    assert list(reached) == [5.0, 70.0, 45.0]


def test_duty_times_follow_the_local_clock_across_the_clocks_going_back():
    eights = get_standards().response_patterns["eights"]
    duty = duty_times(eights, 1, date(2025, 10, 20))  # Sunday 26 October 2025: 01:00 happens twice
    # Saturday's night shift, 23:00 BST to 07:00 GMT, is nine hours long.
    saturday_night = [(s, e) for s, e in duty if s == 5 * 1440 + 23 * 60]
    assert [(e - s) / 60 for s, e in saturday_night] == [9.0]
    # Sunday's early shift starts at 07:00 GMT: an hour later than 7 x 60 after local midnight.
    assert (6 * 1440 + 8 * 60, 6 * 1440 + 16 * 60) in duty


@pytest.fixture(scope="module")
def district_week(control_room_demo):
    con = control_room_demo.con
    week = hourly_demand(con, WEEK, date(2025, 11, 10), kind="grade", by_district=True)
    district = week["unique_id"].str.split("|").str[1].min()
    mine = week[week["unique_id"].str.endswith(f"|{district}")]
    forecast = mine.assign(grade=mine["unique_id"].str.split("|").str[0], mean=mine["y"] * 10)  # a county's
    return forecast, past_jobs(con, district, WEEK)


def test_officers_needed_is_the_fewest_that_meet_the_goal(district_week):
    forecast, jobs = district_week
    pattern = get_standards().response_patterns["eights"]
    need = officers_needed(forecast, jobs, pattern, WEEK)
    assert need.within_target["emergency"] >= get_standards().attendance_goal
    assert need.officer_hours == need.officers_per_shift * 7 * 24
    weeks = [draw_week(forecast, jobs, WEEK, np.random.default_rng([0, r])) for r in range(3)]
    fewer = attended_within(weeks, duty_times(pattern, need.officers_per_shift - 1, WEEK))
    assert fewer["emergency"] < get_standards().attendance_goal


def test_officers_by_pattern_gives_each_district_every_pattern(control_room_demo):
    con = control_room_demo.con
    forecast = hourly_demand(con, WEEK, date(2025, 11, 10), kind="grade", by_district=True)
    district = forecast["unique_id"].str.split("|").str[1].min()
    forecast = forecast[forecast["unique_id"].str.endswith(district)].assign(mean=lambda f: f["y"] * 10)
    told = []  # what a progress bar is told: done and how many in all, before each pattern and at the end
    table = officers_by_pattern(con, forecast, WEEK, lambda done, total: told.append((done, total)))
    assert list(table["pattern"]) == list(get_standards().response_patterns)
    assert told == [(done, len(table)) for done in range(len(table) + 1)]
    assert (table["officers_per_shift"] >= 1).all() and (table["worked_officer_hours"] > 0).all()
    assert isinstance(table["within_priority"][0], float)
    assert pd.notna(table["within_emergency"]).all()


def test_officers_needed_says_when_travel_alone_misses_the_goal(district_week):
    forecast, jobs = district_week
    slow = jobs.assign(travel=60.0)  # an hour's drive to every incident
    with pytest.raises(ValueError, match="only 0% are reached within target .* officers placed nearer"):
        officers_needed(forecast, slow, get_standards().response_patterns["tens"], WEEK)
