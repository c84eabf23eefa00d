"""The renewals queue simulated with simpy: oldest due first, more officers clear sooner."""

from datetime import date

import numpy as np
import pytest

from peel.firearms.backlog import outstanding_by_year
from peel.firearms.simulation import run_queue, simulate_clearance

AS_OF = date(2026, 3, 11)


def test_run_queue_serves_the_oldest_due_first():
    due = [date(2025, 6, 1), date(2023, 1, 1), date(2024, 3, 1)]
    decided = run_queue(due, officers=1, rate=1.0, rng=np.random.default_rng(1))
    assert decided[1] < decided[2] < decided[0]


def test_run_queue_leaves_undecided_what_the_horizon_does_not_reach():
    decided = run_queue([date(2025, 1, 1)] * 50, officers=1, rate=1.0, rng=np.random.default_rng(1), horizon_weeks=5)
    assert None in decided and all(w is None or w <= 5 for w in decided)


def test_simulate_clearance_counts_each_cohort_and_more_staff_clears_sooner(demo):
    now, more = simulate_clearance(demo, AS_OF, runs=5), simulate_clearance(demo, AS_OF, extra=10, runs=5)
    assert {c.year_due: c.outstanding for c in now} == outstanding_by_year(demo, AS_OF)
    for a, b in zip(now, more):
        assert b.clears is not None and (a.clears is None or b.clears <= a.clears)
        assert b.earliest <= b.clears <= b.latest
    assert [c.clears for c in more] == sorted(c.clears for c in more)  # oldest year first


def test_simulate_clearance_refuses_a_staffing_of_nobody(demo):
    with pytest.raises(ValueError, match="leaves no officers"):
        simulate_clearance(demo, AS_OF, extra=-1000)
