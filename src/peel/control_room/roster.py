"""A week's roster from the force's shift patterns: how many call handlers start each shift on
each day so that every hour has the handlers the staffing plan needs, at the fewest
handler-hours. Solved with OR-Tools' CP-SAT (a real integer programme: shifts overlap days, so
the hour-by-hour needs do not divide into shifts by hand), then set beside the roster worked.

The week wraps round: the night shift starting on Sunday covers Monday's small hours, as a
roster repeated week after week does.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from peel.control_room.proposal import WeekPlan
from peel.control_room.standards import get_standards


@dataclass
class Roster:
    shifts: pd.DataFrame  # day (0 = the week's first), shift, staff
    cover: pd.DataFrame  # per hour: label, needed, rostered
    handler_hours: int  # staff x shift hours
    worked_handler_hours: int  # the roster worked over the same week


def solve_roster(plan: WeekPlan, channel: str = "999", seconds: float = 10.0) -> Roster:
    """The fewest handler-hours of whole shifts covering every hour's need in ``plan``."""
    from ortools.sat.python import cp_model

    tz = get_standards().time_zone
    shifts = list(get_standards().shifts.values())
    hours = plan.hours.copy()
    local = hours["ds"].dt.tz_localize("UTC").dt.tz_convert(tz)
    hours["day"] = [(d - plan.week_start).days for d in local.dt.date]
    hours["hour"] = local.dt.hour.to_numpy()
    need = hours[f"handlers_{channel}"].astype(int).to_numpy()
    model = cp_model.CpModel()
    top = int(need.max(initial=0))
    x = {(d, s.code): model.NewIntVar(0, top, f"x_{d}_{s.code}") for d in range(7) for s in shifts}
    covering = []
    for i, row in enumerate(hours.itertuples()):
        # The shifts on duty in this local hour: started today, or yesterday and running past midnight.
        on = [x[((row.day - (1 if row.hour < s.start_hour else 0)) % 7, s.code)] for s in shifts if s.covers(row.hour)]
        model.Add(sum(on) >= int(need[i]))
        covering.append(on)
    model.Minimize(sum(var * s.hours for s in shifts for (d, code), var in x.items() if code == s.code))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 20
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ValueError(f"No roster covers the week of {plan.week_start} ({solver.StatusName(status)}).")
    staff = {key: int(solver.Value(var)) for key, var in x.items()}
    rostered = [int(sum(solver.Value(v) for v in on)) for on in covering]
    length = {s.code: s.hours for s in shifts}
    return Roster(
        shifts=pd.DataFrame([(d, code, n) for (d, code), n in staff.items()], columns=["day", "shift", "staff"]),
        cover=pd.DataFrame({"label": hours["label"], "needed": need, "rostered": rostered,
                            "worked": hours[f"worked_{channel}"].to_numpy()}),
        handler_hours=sum(n * length[code] for (_, code), n in staff.items()),
        worked_handler_hours=int(hours[f"worked_{channel}"].sum()),
    )
