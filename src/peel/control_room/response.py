"""Response officers by shift pattern: how many officers each shift of a pattern needs for the
forecast incidents to be attended within their grade's target, found by simulating the week.

A discrete-event simulation (simpy): incidents arrive at random through each hour at the
forecast rate (Poisson); each takes the first free officer on duty, emergencies before
priority incidents and each grade in the order they came, as a control room dispatches (an
officer already on a job is not taken off it); the officer travels, deals with it and, if
still on shift, is free again. Officers
come on and go off duty by the pattern's shifts in local time (``standards.yaml``), and one
busy at the end of a shift finishes the job first. Travel and on-scene times, and whether the
place is rural (which sets the target), are drawn together from the district's own past
incidents of the grade, so the simulation's roads are the district's roads.

The patterns are declared once, in ``standards.yaml`` (``response_patterns``), with the share
of emergency incidents to attend within target (``attendance_goal``).
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import duckdb
import numpy as np
import pandas as pd
import simpy
from simpy.resources.resource import SortedQueue
from simpy.resources.store import StoreGet

from peel.control_room.performance import local_instant
from peel.control_room.standards import Pattern, get_standards
from peel.warehouse.derived import keep_derived

RESPONSE_GRADES = ("emergency", "priority")  # graded for an officer's attendance within the hour
MAX_OFFICERS = 40  # per shift and district: more is a different problem (a major incident)
Progress = Callable[[int, int], None]  # (districts and patterns simulated, how many in all)
REPLICATIONS = 3  # simulated weeks per count of officers: one week's chance arrivals are too few


class _Wait(StoreGet):
    """An incident waiting for a free officer, queued by its ``key``: (grade rank, arrival)."""

    def __init__(self, store: simpy.Store, key: tuple[int, float]):
        self.key = key
        super().__init__(store)


class _FreeOfficers(simpy.Store):
    """Officers free on duty; the incidents waiting for one are served lowest key first
    (simpy's SortedQueue, as its PriorityResource queues requests)."""

    GetQueue = SortedQueue

    def get(self, key: tuple[int, float]) -> _Wait:  # type: ignore[override]
        return _Wait(self, key)


def simulate_attendance(arrivals: np.ndarray, travel: np.ndarray, on_scene: np.ndarray,
                        duty: list[tuple[float, float]], ranks: np.ndarray | None = None) -> np.ndarray:
    """Minutes from each incident's arrival to an officer reaching it. ``arrivals``, ``travel``
    and ``on_scene`` in minutes (arrivals from the simulation's start, in time order); ``duty``:
    each officer's (start, end) on shift; ``ranks``: each incident's place in the dispatch
    order (0 first: its grade's place in RESPONSE_GRADES), all equal by default. An incident
    no officer reaches in the simulated time waits for ever (inf)."""
    env = simpy.Environment()
    free = _FreeOfficers(env)
    ranks = np.zeros(len(arrivals), dtype=int) if ranks is None else ranks
    reached = np.full(len(arrivals), np.inf)

    def officer(start: float, end: float):
        yield env.timeout(start)
        me = SimpleNamespace(end=end)
        free.put(me)
        yield env.timeout(end - start)
        if me in free.items:  # off duty now; one out on a job goes off when it is done
            free.items.remove(me)

    def incident(i: int):
        yield env.timeout(arrivals[i])
        me = yield free.get((int(ranks[i]), float(arrivals[i])))
        reached[i] = env.now - arrivals[i] + travel[i]
        yield env.timeout(travel[i] + on_scene[i])
        if env.now < me.end:
            free.put(me)

    for start, end in duty:
        env.process(officer(start, end))
    for i in range(len(arrivals)):
        env.process(incident(i))
    env.run(until=max([e for _, e in duty] + [float(arrivals.max(initial=0))]) + 24 * 60)
    return reached


def duty_times(pattern: Pattern, officers: int, week_start: date) -> list[tuple[float, float]]:
    """Each officer's (start, end), minutes from the week's first local midnight, for
    ``officers`` on every shift of ``pattern`` through the week (and the night before's)."""
    tz = get_standards().time_zone
    origin = pd.Timestamp(local_instant(week_start))
    duty = []
    for day in range(-1, 7):
        for shift in pattern.shifts:
            # Start and end on the wall clock: a night shift across a clock change is 7 or 9 hours long.
            wall = pd.Timestamp(week_start + timedelta(days=day)) + pd.Timedelta(hours=shift.start_hour)
            start, end = (t.tz_localize(tz, ambiguous=False, nonexistent="shift_forward")
                          for t in (wall, wall + pd.Timedelta(hours=shift.hours)))
            begin = (start - origin) / pd.Timedelta(minutes=1)
            duty += [(max(begin, 0.0), (end - origin) / pd.Timedelta(minutes=1))] * officers
    return [(s, e) for s, e in duty if e > 0]


def past_jobs(con: duckdb.DuckDBPyConnection, district: str, before: date) -> pd.DataFrame:
    """The district's attended incidents of the response grades in the 26 weeks before
    ``before``: grade, travel and on-scene minutes, rural."""
    return con.execute(
        "SELECT grade, date_diff('second', dispatched_at, arrived_at) / 60 AS travel,"
        " date_diff('second', arrived_at, closed_at) / 60 AS on_scene, rural FROM cr_incident"
        " WHERE district_code = ? AND grade IN (SELECT unnest(?)) AND arrived_at IS NOT NULL"
        " AND closed_at IS NOT NULL AND created_at >= ? AND created_at < ?"
        " ORDER BY incident_id",  # the simulation draws rows by position: the same rows each run
        [district, list(RESPONSE_GRADES), local_instant(before - timedelta(weeks=26)), local_instant(before)],
    ).df()


class OutOfReach(ValueError):
    """No number of officers (up to MAX_OFFICERS) meets the attendance goal in a district: said
    beside the other districts' answers. Any other error is a fault, and stops the run."""


@dataclass(frozen=True)
class Need:
    pattern: str
    officers_per_shift: int
    officer_hours: int  # in the week
    within_target: dict[str, float]  # grade -> simulated share attended within target


def officers_needed(forecast: pd.DataFrame, jobs: pd.DataFrame, pattern: Pattern, week_start: date,
                    seed: int = 0) -> Need:
    """The fewest officers per shift of ``pattern`` for which the simulated share of emergency
    incidents attended within target reaches the declared goal, over a week of ``forecast``
    (ds as UTC hour starts, grade, mean: the incidents expected that hour) with ``jobs``' times."""
    standards = get_standards()
    weeks = [draw_week(forecast, jobs, week_start, np.random.default_rng([seed, r])) for r in range(REPLICATIONS)]
    emergencies = pd.concat(weeks).query("grade == 'emergency'")
    ceiling = float((emergencies["travel"] <= emergencies["target"]).mean()) if len(emergencies) else 1.0
    if ceiling < standards.attendance_goal:
        raise OutOfReach(
            f"Even with an officer free for every emergency, only {ceiling:.0%} are reached within target "
            f"(travel times alone, pattern {pattern.code}): no number of officers meets the goal of "
            f"{standards.attendance_goal:.0%} in standards.yaml; the district needs officers placed nearer.")
    for officers in range(1, MAX_OFFICERS + 1):
        duty = duty_times(pattern, officers, week_start)
        shares = attended_within(weeks, duty)
        if shares.get("emergency", 1.0) >= standards.attendance_goal:
            return Need(pattern.code, officers, officers * 7 * sum(s.hours for s in pattern.shifts), shares)
    raise OutOfReach(f"More than {MAX_OFFICERS} officers a shift would be needed on pattern {pattern.code}: "
                     "check the forecast incidents and the district's travel times.")


def draw_week(forecast: pd.DataFrame, jobs: pd.DataFrame, week_start: date, rng: np.random.Generator) -> pd.DataFrame:
    """One week of simulated incidents: arrival minute, grade, travel, on-scene, target."""
    origin = pd.Timestamp(local_instant(week_start)).tz_convert("UTC").tz_localize(None)
    frames = []
    for grade in RESPONSE_GRADES:
        mine, past = forecast[forecast["grade"] == grade], jobs[jobs["grade"] == grade]
        if past.empty:
            continue
        counts = rng.poisson(mine["mean"].clip(lower=0).to_numpy())
        hour = np.repeat(((mine["ds"] - origin) / pd.Timedelta(minutes=1)).to_numpy(), counts)
        drawn = past.iloc[rng.integers(0, len(past), len(hour))]
        g = get_standards().grades[grade]
        frames.append(pd.DataFrame({
            "arrival": hour + rng.uniform(0, 60, len(hour)), "grade": grade,
            "travel": drawn["travel"].to_numpy(), "on_scene": drawn["on_scene"].to_numpy(),
            "target": np.where(drawn["rural"].to_numpy(), g.target_rural_minutes, g.target_urban_minutes)}))
    return pd.concat(frames).sort_values("arrival").reset_index(drop=True)


def attended_within(weeks: list[pd.DataFrame], duty: list[tuple[float, float]]) -> dict[str, float]:
    """Per grade, the share of the simulated weeks' incidents reached within target."""
    hits = []
    for week in weeks:
        reached = simulate_attendance(week["arrival"].to_numpy(), week["travel"].to_numpy(),
                                      week["on_scene"].to_numpy(), duty,
                                      week["grade"].map(RESPONSE_GRADES.index).to_numpy())
        hits.append(week.assign(within=reached <= week["target"].to_numpy()))
    both = pd.concat(hits)
    return {g: float(v) for g, v in both.groupby("grade")["within"].mean().items()}


def officers_by_pattern(con: duckdb.DuckDBPyConnection, forecast: pd.DataFrame, week_start: date,
                        progress: Progress | None = None, seed: int = 0) -> pd.DataFrame:
    """For every district and declared pattern: officers per shift, officer-hours in the week
    and the simulated shares within target, from ``forecast`` (unique_id 'grade|district', ds,
    mean) of the week; beside the officer-hours the roster worked. ``progress(done, total)``
    is told after each district and pattern simulated (a second or more each)."""
    parts = forecast["unique_id"].astype("category")
    frame = forecast.assign(grade=parts.map(lambda u: u.split("|")[0]).astype(str),
                            district=parts.map(lambda u: u.split("|")[1]).astype(str))
    districts = list(frame[frame["grade"].isin(RESPONSE_GRADES)].groupby("district", sort=True))
    patterns = list(get_standards().response_patterns.values())
    rows = []
    for district, mine in districts:
        jobs = past_jobs(con, district, week_start)
        worked = worked_officer_hours(con, district, week_start)
        for pattern in patterns:
            if progress is not None:
                progress(len(rows), len(districts) * len(patterns))
            row = {"district": district, "pattern": pattern.code, "worked_officer_hours": worked, "note": ""}
            try:
                need = officers_needed(mine, jobs, pattern, week_start, seed)
            except OutOfReach as error:  # said beside the other districts' answers, not instead of them
                rows.append(row | {"officers_per_shift": None, "officer_hours": None, "note": str(error)})
                continue
            rows.append(row | {"officers_per_shift": need.officers_per_shift, "officer_hours": need.officer_hours,
                               **{f"within_{g}": need.within_target.get(g) for g in RESPONSE_GRADES}})
    if progress is not None:
        progress(len(rows), len(districts) * len(patterns))
    return pd.DataFrame(rows)


def officers_week(con: duckdb.DuckDBPyConnection, week_start: date, districts: list[str] | None = None,
                  progress: Progress | None = None, seed: int = 0) -> pd.DataFrame:
    """``officers_by_pattern`` for the week from ``week_start``, from the response grades'
    incidents forecast by district from the HISTORY_WEEKS before it (all districts, or ``districts``)."""
    from peel.control_room.demand import hourly_demand
    from peel.control_room.forecast import forecast_demand
    from peel.control_room.proposal import HISTORY_WEEKS

    history = hourly_demand(con, week_start - timedelta(weeks=HISTORY_WEEKS), week_start, "grade", by_district=True)
    keep = [u for u in history["unique_id"].unique()  # the few series, not every hour's row
            if u.split("|")[0] in RESPONSE_GRADES and (not districts or u.split("|")[1] in districts)]
    history = history[history["unique_id"].isin(keep)]
    if history.empty:
        raise ValueError(f"No {' or '.join(RESPONSE_GRADES)} incidents before {week_start} "
                         f"in {', '.join(districts or ['any district'])}: check the district code.")
    hours = int((pd.Timestamp(local_instant(week_start + timedelta(days=7)))
                 - pd.Timestamp(local_instant(week_start))) / pd.Timedelta(hours=1))
    return officers_by_pattern(con, forecast_demand(history, hours), week_start, progress, seed)


def kept_officers_week(con: duckdb.DuckDBPyConnection, week_start: date, seed: int = 0) -> pd.DataFrame:
    """``officers_week`` for every district, simulated once per warehouse generation and input
    and kept beside the warehouse (``peel.warehouse.derived``): a pack rebuilt from the same
    generation, or ``--as-of`` the same day, reads the officers back instead of simulating the
    week again (the section's slowest part). The key is every input besides the data: the week,
    the seed, the simulation's and the forecast's parameters, the declared standards (patterns,
    targets, goal), and the code that simulates."""
    from peel.control_room import demand, forecast, proposal

    key = {"week_start": week_start, "seed": seed, "replications": REPLICATIONS, "max_officers": MAX_OFFICERS,
           "history_weeks": proposal.HISTORY_WEEKS,
           "forecast": [forecast.WEEK, forecast.WEEKS_AVERAGED, forecast.WINDOWS, forecast.LEVEL],
           "standards": repr(get_standards()),
           "code": hashlib.sha256(b"".join(Path(m.__file__).read_bytes()
                                           for m in (sys.modules[__name__], demand, forecast))).hexdigest()}
    return keep_derived(con, "control_room.officers_week", key, lambda: officers_week(con, week_start, seed=seed))


def worked_officer_hours(con: duckdb.DuckDBPyConnection, district: str, week_start: date) -> int:
    """Response officer-hours the roster worked in the district in the week."""
    value = con.execute(
        "SELECT sum(staff * date_diff('second', starts_at, ends_at)) / 3600 FROM cr_shift"
        " WHERE role = 'response_officer' AND district_code = ? AND starts_at >= ? AND starts_at < ?",
        [district, local_instant(week_start), local_instant(week_start + timedelta(days=7))]).fetchall()[0][0]
    return int(value or 0)
