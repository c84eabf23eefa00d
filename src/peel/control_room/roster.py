"""A week's roster of named posts (person 1, person 2...) from the force's shift patterns, so
that every hour has the staff the plan needs, at the fewest staff-hours, keeping the working-time
rules declared in ``standards.yaml`` for every person: at least ``min_rest_hours`` between the
end of one shift and the start of the next, at most ``max_consecutive_shifts`` days on shift in
a row, and ``rest_days_per_week`` days off in the week. Solved with OR-Tools' CP-SAT: the rules
bind each person across days, which no hand division of hours into shifts can keep.

The week wraps round, as a roster repeated week after week does: Sunday's night shift covers
Monday's small hours, and the rest and consecutive-day rules run from Sunday into Monday.

Call handlers are rostered on the control room's shifts (``shifts``) against the hourly plan
(``proposal.plan_week``); response officers on a declared response pattern against the officers
per shift the simulation found (``response.officers_needed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

from peel.control_room.proposal import WeekPlan
from peel.control_room.standards import Shift, WorkingTime, get_standards

SOLVER_SECONDS = 20.0  # then the best roster found, if not yet proven the fewest staff-hours
RELATIVE_GAP = 0.02
SPARE = 1.5  # posts offered to the solver, over the fewest whole shifts could need, before rules


@dataclass
class Roster:
    posts: pd.DataFrame  # person, day (0 = the week's first), shift: who works what
    shifts: pd.DataFrame  # day, shift, staff: how many start each shift
    cover: pd.DataFrame  # per hour: label, needed, rostered (and worked, where known)
    staff_hours: int  # staff x shift hours
    people: int  # posts with at least one shift

    def worked_hours(self) -> int | None:
        return int(self.cover["worked"].sum()) if "worked" in self.cover else None


def week_hours(plan: WeekPlan) -> pd.DataFrame:
    """The plan's hours with their local day (0-6 from the week's start) and hour of day."""
    local = plan.hours["ds"].dt.tz_localize("UTC").dt.tz_convert(get_standards().time_zone)
    return plan.hours.assign(day=[(d - plan.week_start).days for d in local.dt.date], hour=local.dt.hour.to_numpy())


def solve_handler_roster(plan: WeekPlan, channel: str = "999", staff: int | None = None) -> Roster:
    """Call handlers for ``channel`` on the control room's shifts, against ``plan``'s hours."""
    hours = week_hours(plan).assign(need=plan.hours[f"handlers_{channel}"].astype(int).to_numpy())
    roster = solve_roster(hours, tuple(get_standards().shifts.values()), staff, what=f"{channel} call handlers")
    roster.cover["worked"] = plan.hours[f"worked_{channel}"].to_numpy()
    return roster


def solve_officer_roster(plan: WeekPlan, pattern: str, officers_per_shift: int, staff: int | None = None) -> Roster:
    """Response officers on ``pattern`` with ``officers_per_shift`` on every shift, for the hours of ``plan``."""
    shifts = get_standards().response_patterns[pattern].shifts
    hours = week_hours(plan)
    hours["need"] = [officers_per_shift * sum(s.covers(h) for s in shifts) for h in hours["hour"]]
    return solve_roster(hours, shifts, staff, what=f"response officers on the {pattern} pattern")


def solve_roster(hours: pd.DataFrame, shifts: tuple[Shift, ...], staff: int | None = None,
                 what: str = "staff", rules: WorkingTime | None = None) -> Roster:
    """Posts for ``staff`` people (by default enough for any feasible week) working ``shifts``
    so every hour in ``hours`` (label, day, hour, need) has its need, keeping ``rules``."""
    from ortools.sat.python import cp_model

    rules = rules or get_standards().working_time
    need = hours["need"].astype(int).to_numpy()
    shift_hours = sum(s.hours for s in shifts) / len(shifts)
    work_days = min(7 - rules.rest_days_per_week, 7)
    people = staff or max(1, int(np.ceil(SPARE * need.sum() / shift_hours / max(work_days, 1))) + len(shifts))
    model = cp_model.CpModel()
    x = {(p, d, s.code): model.NewBoolVar(f"x{p}_{d}_{s.code}")
         for p, d, s in product(range(people), range(7), shifts)}
    on = {(p, d): sum(x[p, d, s.code] for s in shifts) for p, d in product(range(people), range(7))}
    for p in range(people):
        for d in range(7):
            model.Add(on[p, d] <= 1)  # one shift a day
        for d, a, b in product(range(7), shifts, shifts):  # rest between one day's shift and the next's
            if 24 + b.start_hour - (a.start_hour + a.hours) < rules.min_rest_hours:
                model.AddBoolOr([x[p, d, a.code].Not(), x[p, (d + 1) % 7, b.code].Not()])
        for d in range(7):  # no more than the maximum in a row, round the week
            window = [on[p, (d + k) % 7] for k in range(rules.max_consecutive_shifts + 1)]
            if len(window) <= 7:
                model.Add(sum(window) <= rules.max_consecutive_shifts)
        model.Add(sum(on[p, d] for d in range(7)) <= work_days)
    covering = []
    for row in hours.itertuples():
        # On duty this local hour: shifts started today, or yesterday and running past midnight.
        here = [x[p, (row.day - (1 if row.hour < s.start_hour else 0)) % 7, s.code]
                for p in range(people) for s in shifts if s.covers(row.hour)]
        model.Add(sum(here) >= int(row.need))
        covering.append(here)
    for p in range(1, people):  # posts fill in order: no equal rosters to search twice
        model.Add(sum(on[p, d] for d in range(7)) <= sum(on[p - 1, d] for d in range(7)))
    length = {s.code: s.hours for s in shifts}
    model.Minimize(sum(var * length[code] for (_, _, code), var in x.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = SOLVER_SECONDS
    solver.parameters.num_workers = 2
    # Within 2% of the fewest staff-hours is a roster to propose: proving the last shift away
    # takes the solver many times longer, and a manager changes the proposal anyway.
    solver.parameters.relative_gap_limit = RELATIVE_GAP
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        busiest = hours.loc[hours["need"].idxmax()]
        raise ValueError(
            f"No roster of {people} {what} covers the week while keeping the working-time rules "
            f"(standards.yaml: {rules.min_rest_hours} hours' rest between shifts, at most "
            f"{rules.max_consecutive_shifts} shifts in a row, {rules.rest_days_per_week} rest day(s) a week); "
            f"the busiest hour, {busiest.get('label', busiest['hour'])}, needs {int(busiest['need'])}. "
            f"Give more staff, or fewer needed ({solver.StatusName(status)}).")
    posts = pd.DataFrame([(p + 1, d, code) for (p, d, code), var in x.items() if solver.Value(var)],
                         columns=["person", "day", "shift"])
    counts = posts.groupby(["day", "shift"]).size()
    return Roster(
        posts=posts,
        shifts=pd.DataFrame([(d, s.code, int(counts.get((d, s.code), 0))) for d in range(7) for s in shifts],
                            columns=["day", "shift", "staff"]),
        cover=pd.DataFrame({"label": hours["label"].to_numpy(), "needed": need,
                            "rostered": [int(sum(solver.Value(v) for v in here)) for here in covering]}),
        staff_hours=int(sum(length[c] for c in posts["shift"])),
        people=int(posts["person"].nunique()),
    )
