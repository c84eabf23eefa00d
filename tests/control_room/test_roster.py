"""The proposed roster (OR-Tools CP-SAT): every hour covered, every working-time rule kept by
every person, checked here from the roster's posts alone; and a clear refusal when it cannot be."""

from datetime import date
from itertools import pairwise

import pytest

from peel.control_room.proposal import plan_week
from peel.control_room.roster import solve_handler_roster, solve_officer_roster
from peel.control_room.standards import get_standards

WEEK = date(2025, 11, 3)


@pytest.fixture(scope="module")
def plan(control_room_demo):
    return plan_week(control_room_demo.con, WEEK)


def broken_rules(posts, shifts) -> list[str]:
    """Every breach of standards.yaml's working-time rules in ``posts`` (person, day, shift),
    counted on the clock: the week repeats, so Sunday runs into the next Monday."""
    rules, starts = get_standards().working_time, {s.code: s for s in shifts}
    broken = []
    for person, mine in posts.groupby("person"):
        days = sorted(mine["day"])
        if len(days) != len(set(days)):
            broken.append(f"{person}: two shifts in a day")
        if 7 - len(set(days)) < rules.rest_days_per_week:
            broken.append(f"{person}: no rest day")
        run = longest = 0
        for day in range(14):  # twice round, for a run across the week's end
            run = run + 1 if day % 7 in days else 0
            longest = max(longest, run)
        if min(longest, 7) > rules.max_consecutive_shifts:
            broken.append(f"{person}: {longest} shifts in a row")
        times = sorted((d * 24 + starts[c].start_hour, d * 24 + starts[c].start_hour + starts[c].hours)
                       for d, c in zip(mine["day"], mine["shift"], strict=True))
        times += [(s + 168, e + 168) for s, e in times[:1]]
        broken += [f"{person}: {b - a} hours' rest" for (_, a), (b, _) in pairwise(times)
                   if b - a < rules.min_rest_hours]
    return broken


def test_solve_handler_roster_covers_every_hour_and_keeps_every_rule(plan):
    roster = solve_handler_roster(plan)
    assert (roster.cover["rostered"] >= roster.cover["needed"]).all()
    assert broken_rules(roster.posts, tuple(get_standards().shifts.values())) == []
    assert roster.staff_hours == 8 * len(roster.posts) == 8 * roster.shifts["staff"].sum()
    assert roster.worked_hours() == plan.hours["worked_999"].sum()
    assert len(roster.shifts) == 21  # 7 days x early, late, night


def test_solve_officer_roster_keeps_every_rule_on_overlapping_ten_hour_shifts(plan):
    roster = solve_officer_roster(plan, "tens", officers_per_shift=2)
    tens = get_standards().response_patterns["tens"].shifts
    assert broken_rules(roster.posts, tens) == []
    assert (roster.cover["rostered"] >= roster.cover["needed"]).all()
    assert roster.cover["needed"].max() == 4  # two shifts overlap: 2 officers each
    assert (roster.shifts["staff"] >= 2).all()


def test_solve_handler_roster_says_when_too_few_people_can_cover_the_week(plan):
    with pytest.raises(ValueError, match=r"No roster of 2 999 call handlers covers the week while keeping "
                                         r"the working-time rules \(standards.yaml: 11 hours' rest.*Give more staff"):
        solve_handler_roster(plan, staff=2)
