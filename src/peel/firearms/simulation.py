"""When each year's cohort clears, by simulating the queue (simpy) rather than forecasting the
weekly total: a second view beside ``forecast``'s AutoETS, for a staffing.

How it is made: the renewals outstanding on ``as_of`` wait in one queue, served oldest due
first (a simpy ``PriorityResource``, priority the day due); the officers are the resource's
capacity (those who decided renewals in the last 8 weeks, plus the extra asked for); each
decision takes an officer a time drawn from an exponential distribution whose mean is what the
history shows (officer-weeks per decision over the last 8 weeks). A cohort clears when its last
renewal is decided. Renewals received later are due later, so they queue behind every cohort
outstanding now and do not change when those clear. The simulation is run ``runs`` times: the
median day is the forecast, the 10th and 90th percentiles its 80% interval.

What it leaves out: waits the officer cannot shorten (a GP's medical reply), holidays and
sickness, a change in the mix of simple and complex renewals.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import simpy

from peel.firearms.backlog import OPEN_RENEWAL
from peel.firearms.forecast import STAFF_WINDOW_WEEKS, Clearance, officers_deciding

HORIZON_WEEKS = 104
RUNS = 50


def decisions_per_officer_week(con: duckdb.DuckDBPyConnection, as_of: date) -> float:
    """Renewals decided per officer per week over the last ``STAFF_WINDOW_WEEKS`` weeks."""
    officers = officers_deciding(con, as_of)
    decided = con.execute("SELECT count(*) FROM firearms_application WHERE kind = 'renewal' AND decided_date > ? "
                          "AND decided_date <= ?", [as_of - timedelta(weeks=STAFF_WINDOW_WEEKS), as_of]).fetchone()[0]
    if officers == 0 or decided == 0:
        raise ValueError(f"No renewal was decided in the {STAFF_WINDOW_WEEKS} weeks before {as_of}: "
                         "there is no rate to simulate from.")
    return decided / STAFF_WINDOW_WEEKS / officers


def run_queue(due: list[date], officers: int, rate: float, rng: np.random.Generator,
              horizon_weeks: int = HORIZON_WEEKS) -> list[float | None]:
    """One run: the week (from now, fractional) each renewal is decided, in the order of
    ``due``; None for those not decided within the horizon."""
    env = simpy.Environment()
    desk = simpy.PriorityResource(env, capacity=officers)
    decided: list[float | None] = [None] * len(due)

    def renewal(i: int, priority: int):
        with desk.request(priority=priority) as turn:
            yield turn
            yield env.timeout(rng.exponential(1 / rate))
            decided[i] = env.now

    # Started oldest first: every renewal waits from the start, and a free desk takes the
    # first request made; later requests are served by priority.
    for i in sorted(range(len(due)), key=due.__getitem__):
        env.process(renewal(i, due[i].toordinal()))
    env.run(until=horizon_weeks)
    return decided


def simulate_clearance(con: duckdb.DuckDBPyConnection, as_of: date, extra: int = 0, runs: int = RUNS,
                       seed: int = 0) -> list[Clearance]:
    """When each year due clears with ``extra`` officers beyond those deciding now: the median
    of ``runs`` simulated queues, and the 10th and 90th percentiles."""
    officers = officers_deciding(con, as_of) + extra
    if officers <= 0:
        raise ValueError(f"--staff {extra:+d} leaves no officers to decide renewals.")
    rate = decisions_per_officer_week(con, as_of)
    con.execute(OPEN_RENEWAL.format(as_of=as_of.isoformat()))
    due = [d for (d,) in con.execute("SELECT due_date FROM open_renewal ORDER BY due_date").fetchall()]
    years = np.array([d.year for d in due])
    rng = np.random.default_rng(seed)
    clears: dict[int, list[float]] = {int(y): [] for y in np.unique(years)}
    for _ in range(runs):
        weeks = np.array([np.inf if w is None else w for w in run_queue(due, officers, rate, rng)])
        for year, runs_cleared in clears.items():
            runs_cleared.append(float(weeks[years == year].max()))
    start = as_of - timedelta(days=as_of.weekday()) + timedelta(weeks=1)  # as the forecast counts weeks

    def day(week: float) -> date | None:
        return None if not np.isfinite(week) else start + timedelta(days=int(np.ceil(week * 7)))

    return [Clearance(year, int((years == year).sum()),
                      *(day(float(np.percentile(clears[year], q))) for q in (50, 10, 90)))
            for year in sorted(clears)]


def decided_within(con: duckdb.DuckDBPyConnection, as_of: date, weeks: int, runs: int = 20, seed: int = 0) -> float:
    """The renewals the simulated queue decides in the ``weeks`` after ``as_of`` at today's
    staffing (the mean of ``runs`` runs): what ``bench/firearms.py`` back-tests against the
    decisions that followed."""
    officers, rate = officers_deciding(con, as_of), decisions_per_officer_week(con, as_of)
    con.execute(OPEN_RENEWAL.format(as_of=as_of.isoformat()))
    due = [d for (d,) in con.execute("SELECT due_date FROM open_renewal ORDER BY due_date").fetchall()]
    rng = np.random.default_rng(seed)
    return float(np.mean([sum(w is not None for w in run_queue(due, officers, rate, rng, weeks))
                          for _ in range(runs)]))
