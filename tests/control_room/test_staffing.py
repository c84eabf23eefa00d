"""The Erlang C staffing model against pyworkforce and against its own simpy simulation."""

from datetime import date

import numpy as np
import pytest

from peel.control_room.demand import hourly_demand
from peel.control_room.erlang import answered_within, handlers_needed
from peel.control_room.simulate import check_plan, simulate_answered_within
from peel.control_room.staffing import plan_handlers

HANDLING = 270.0


@pytest.mark.parametrize(("calls", "handling"), [(8, 270), (25, 270), (60, 420), (140, 300)])
def test_handlers_needed_matches_pyworkforce(calls, handling):
    from pyworkforce.queuing import ErlangC

    theirs = ErlangC(transactions=calls, aht=handling / 60, asa=10 / 60, interval=60, shrinkage=0)
    expected = theirs.required_positions(service_level=0.9, max_occupancy=1.0)["raw_positions"]
    assert handlers_needed(np.array([calls]), handling, 10, 0.9)[0] == expected
    assert answered_within(np.array([expected]), np.array([calls]), np.array([handling]), 10)[0] == \
        pytest.approx(theirs.service_level(positions=expected, scale_positions=False))


def test_simulate_answered_within_agrees_with_erlang_c_on_a_busy_hour():
    simulated = simulate_answered_within(5, 35, HANDLING, 10, calls=20_000, seed=3)
    model = answered_within(np.array([5]), np.array([35]), np.array([HANDLING]), 10)[0]
    assert simulated == pytest.approx(model, abs=0.015)


@pytest.fixture(scope="module")
def test_week(control_room_demo):
    # A week of the demo's 999 calls, scaled to a county force (the demo fixture is a tenth).
    week = hourly_demand(control_room_demo.con, date(2025, 11, 3), date(2025, 11, 10))
    week = week[week["unique_id"] == "999"].assign(mean=lambda f: f["y"] * 10)
    return plan_handlers(week, "999", HANDLING)


def test_plan_handlers_simulated_shares_hold_for_all_168_hours(test_week):
    assert len(test_week) == 168
    results = check_plan(test_week, HANDLING, 10)
    # Each hour: the proposed staff is not below the standard beyond the simulation's own
    # error (two standard errors), and nearly every hour is at or above it outright.
    assert [r for r in results if r["simulated"] + 2 * r["error"] < 0.9] == []
    assert sum(r["simulated"] >= 0.9 for r in results) >= 0.9 * len(results)
    # With one handler fewer the model says every hour falls short; the simulation agrees.
    assert all(r["model_one_fewer"] < 0.9 for r in results)
    assert [r for r in results if r["simulated_one_fewer"] - 2 * r["error_one_fewer"] >= 0.9] == []
