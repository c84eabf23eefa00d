"""The demo force's control room: 999, 101 and online contacts, the incidents they create and
the roster that worked them, with the rhythms real demand has and events planted in it.

Demand per local hour, district and channel is a product of declared factors
(``data/control_room.yaml``): the hour of day, the day of week, the season, a trend, bank
holidays (the ``holidays`` library's for England), and planted events - New Year's Eve, Diwali
evening in the two districts with large Hindu communities, home football fixtures in one
district, hot summer weekends - written with their controls to ``truth/control_room_events.json``.
Hours are built in Europe/London time, so the spring-forward day has 23 hours and the
autumn day 25.

The roster worked staffs each shift for its busiest typical hour, then loses some staff to
absence; answer waits are drawn from the Erlang C waiting-time law for the hour's calls and
staff on duty, so performance falls where demand outruns the roster (events), as it does in a
real control room. Attendance is dispatch delay, growing with officers' load, plus travel time.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING

import holidays
import numpy as np
import pandas as pd

from peel.control_room.erlang import erlang_c, handlers_needed
from peel.control_room.standards import get_standards
from peel.demo.calendar import get_diwali_dates
from peel.demo.datafiles import read_data_yaml
from peel.demo.load import _insert
from peel.warehouse import open_batch
from peel.warehouse.sql import literal_list, quote_literal

if TYPE_CHECKING:
    from peel.demo.domains import DemoContext

SOURCE_SYSTEM = "demo_command_and_control"
CHANNELS = ["999", "101", "online"]
TRUTH_FILE = "control_room_events.json"
# Command and control keeps about two years online; the forecasts' back-tests need no more.
HISTORY_DAYS = 2 * 365


def generate(ctx: DemoContext) -> dict[str, int]:
    params = read_data_yaml("control_room.yaml")
    rng = ctx.rng("control_room")
    tz = get_standards().time_zone
    first_day = max(ctx.first_day, (ctx.last_day.replace(day=1) - timedelta(days=HISTORY_DAYS)).replace(day=1))
    hours = pd.date_range(pd.Timestamp(first_day, tz=tz),
                          pd.Timestamp(ctx.last_day + timedelta(days=1), tz=tz), freq="h", inclusive="left")
    districts = ctx.force.areas[ctx.force.areas["level"] == "district"].reset_index(drop=True)
    neighbourhoods = ctx.force.areas[ctx.force.areas["level"] == "neighbourhood"].reset_index(drop=True)
    events, controls = plan_events(params["events"], hours, districts, rng)
    typical = typical_demand(params, hours, districts) * ctx.size
    demand = typical * event_factors(events, hours, districts) * bank_holiday_factors(params, hours)[:, None, :]
    roster, staff = plan_roster(params, hours, typical, districts, rng)
    calls = draw_calls(params, hours, demand, staff, districts, rng)
    incidents, calls = draw_incidents(params, calls, hours, staff, districts, neighbourhoods, rng)
    truth = {"source_system": SOURCE_SYSTEM, "time_zone": tz, "events": events, "controls": controls}
    ctx.truth_dir.mkdir(parents=True, exist_ok=True)
    (ctx.truth_dir / TRUTH_FILE).write_text(json.dumps(truth, indent=2, default=str), encoding="utf-8")
    return load(ctx.con, calls, incidents, roster, districts)


def local_hour_frame(hours: pd.DatetimeIndex) -> pd.DataFrame:
    return pd.DataFrame({"hour": hours.hour, "dow": hours.dayofweek, "doy": hours.dayofyear,
                         "date": hours.date})


def typical_demand(params: dict, hours: pd.DatetimeIndex, districts: pd.DataFrame) -> np.ndarray:
    """Expected contacts (hours, districts, channels) with no events or bank holidays, size 1."""
    h = local_hour_frame(hours)
    years = (hours - hours[0]).total_seconds().to_numpy() / (365.25 * 86400)
    season = 1 + params["summer_peak"] * np.cos(2 * np.pi * (h["doy"].to_numpy() - 196) / 365.25)
    trend = (1 + params["trend_per_year"]) ** years
    # Friday and Saturday nights: the small hours of Saturday and Sunday mornings.
    night = np.where(h["dow"].isin([5, 6]) & (h["hour"] < 4), 1 + params["weekend_night_uplift"], 1.0)
    share = (districts["population"] / districts["population"].sum()).to_numpy()
    out = np.empty((len(hours), len(districts), len(CHANNELS)))
    for c, channel in enumerate(CHANNELS):
        profile = np.asarray(params["hour_profile"][channel], dtype=float)
        profile = profile / profile.sum()
        days = np.asarray(params["day_factor"][channel])[h["dow"].to_numpy()]
        per_hour = params["calls_per_day"][channel] * profile[h["hour"].to_numpy()] * days
        out[:, :, c] = (per_hour * season * trend * night)[:, None] * share[None, :]
    return out


def bank_holiday_factors(params: dict, hours: pd.DatetimeIndex) -> np.ndarray:
    years = range(hours[0].year, hours[-1].year + 1)
    bank = holidays.country_holidays("GB", subdiv="ENG", years=years)
    is_bank = np.array([d in bank for d in hours.date])
    factors = np.array([params["bank_holiday_factor"][c] for c in CHANNELS])
    return np.where(is_bank[:, None], factors[None, :], 1.0)


def plan_events(spec: dict, hours: pd.DatetimeIndex, districts: pd.DataFrame, rng) -> tuple[list, list]:
    """The planted events (name, local start, hours, factor, districts) and control windows:
    the same hours on days with no event, which a detector should leave alone."""
    first, last = hours[0].date(), hours[-1].date()
    years = range(first.year, last.year + 1)
    events, controls = [], []

    def add(name: str, day: date, rule: dict, into: list) -> None:
        if first <= day <= last:
            into.append({"name": name, "day": day.isoformat(), "start": rule["start"], "hours": rule["hours"],
                         "factor": rule["factor"], "districts": rule.get("districts", [])})

    for year in years:
        add("New Year's Eve", date(year, 12, 31), spec["new_years_eve"], events)
        add("New Year's Eve control", date(year, 12, 17), spec["new_years_eve"], controls)
    for day in get_diwali_dates(list(years)).values():
        add("Diwali", day, spec["diwali"], events)
        add("Diwali control", day - timedelta(days=14), spec["diwali"], controls)
    football = spec["football"]
    saturdays = [d.date() for d in pd.date_range(first, last, freq="W-SAT")]
    for d in saturdays:
        if d.month in football["months"]:
            home = (d.isocalendar().week % football["every_weeks"]) == 0
            add("Home football fixture" if home else "Away fixture (control)", d, football,
                events if home else controls)
    hot = spec["hot_weekend"]
    for year in years:
        summer = [d for d in saturdays if d.year == year and d.month in (6, 7, 8)]
        if not summer:
            continue
        chosen = set(rng.choice(len(summer), size=min(hot["per_summer"], len(summer)), replace=False))
        for i, d in enumerate(summer):
            for day in (d, d + timedelta(days=1)):
                add("Hot weekend" if i in chosen else "Summer weekend (control)", day, hot,
                    events if i in chosen else controls)
    return events, controls


def event_factors(events: list, hours: pd.DatetimeIndex, districts: pd.DataFrame) -> np.ndarray:
    factors = np.ones((len(hours), len(districts), 1))
    tz = hours.tz
    for event in events:
        start = pd.Timestamp(f"{event['day']} {event['start']}").tz_localize(tz)
        inside = (hours >= start) & (hours < start + pd.Timedelta(hours=event["hours"]))
        where = districts["area_name"].isin(event["districts"]).to_numpy() if event["districts"] else slice(None)
        block = factors[inside]
        block[:, where] *= event["factor"]
        factors[inside] = block
    return factors


def plan_roster(params: dict, hours: pd.DatetimeIndex, typical: np.ndarray, districts: pd.DataFrame, rng):
    """The roster worked: per local day and shift, call handlers per line (staffed for the
    shift's busiest typical hour) and response officers per district, less absence.
    Returns the roster rows and the staff on duty per hour: {role: (hours,) or (hours, districts)}."""
    standards = get_standards()
    h = local_hour_frame(hours)
    shift_of = np.empty(len(hours), dtype=object)
    shift_day = np.empty(len(hours), dtype=object)
    for shift in standards.shifts.values():
        on = np.array([shift.covers(x) for x in h["hour"]])
        shift_of[on] = shift.code
        # A shift that runs past midnight belongs to the day it started.
        started_yesterday = on & (h["hour"].to_numpy() < shift.start_hour)
        shift_day[on] = np.where(started_yesterday[on], [d - timedelta(days=1) for d in h["date"][on]], h["date"][on])
    key = pd.Series(list(zip(shift_day, shift_of)))
    groups = key.groupby(key).indices  # (day, shift) -> hour positions
    q = params["planning_quantile"]
    deployments = typical.sum(axis=2) * 0  # (hours, districts)
    for c, channel in enumerate(CHANNELS):
        deployed = 1 - params["grade_share"][channel]["resolved"]
        deployments += typical[:, :, c] * params["incident_share"][channel] * deployed
    officers_needed = deployments * params["job_minutes"] / 60 / params["officer_utilisation"]
    rows, staff = [], {"call_handler_999": np.zeros(len(hours), int), "call_handler_101": np.zeros(len(hours), int),
                       "response_officer": np.zeros((len(hours), len(districts)), int)}
    items = list(groups.items())
    planned = {}
    for role, channel in (("call_handler_999", "999"), ("call_handler_101", "101")):
        standard = standards.channels[channel]
        hourly = typical[:, :, CHANNELS.index(channel)].sum(axis=1)
        busy = np.array([np.quantile(hourly[positions], q) for _, positions in items])
        planned[role] = handlers_needed(busy, params["handling_mean_seconds"][channel],
                                        standard.answer_within_seconds, standard.answer_share)
    for i, ((day, code), positions) in enumerate(items):
        start, end = hours[positions[0]], hours[positions[-1]] + pd.Timedelta(hours=1)
        for role in ("call_handler_999", "call_handler_101"):
            worked = int(planned[role][i] - rng.binomial(planned[role][i], params["absence_rate"]))
            staff[role][positions] = worked
            rows.append((day, code, start, end, role, None, worked))
        busy = np.quantile(officers_needed[positions], q, axis=0)
        officers = np.ceil(busy).astype(int) + 1
        worked = officers - rng.binomial(officers, params["absence_rate"])
        staff["response_officer"][positions] = worked[None, :]
        for d, code_d in enumerate(districts["area_code"]):
            rows.append((day, code, start, end, "response_officer", code_d, int(worked[d])))
    roster = pd.DataFrame(rows, columns=["shift_date", "shift", "starts_at", "ends_at", "role", "district_code", "staff"])
    roster["starts_at"] = pd.to_datetime(roster["starts_at"], utc=True)
    roster["ends_at"] = pd.to_datetime(roster["ends_at"], utc=True)
    roster["source_system"] = SOURCE_SYSTEM
    roster["source_record_id"] = [f"R{i:07d}" for i in range(len(roster))]
    return roster, staff


def draw_calls(params: dict, hours: pd.DatetimeIndex, demand: np.ndarray, staff: dict,
               districts: pd.DataFrame, rng) -> pd.DataFrame:
    counts = rng.poisson(demand)  # (hours, districts, channels)
    utc_start = hours.tz_convert("UTC").as_unit("s").asi8
    frames = []
    for c, channel in enumerate(CHANNELS):
        n = counts[:, :, c]
        cell = np.repeat(np.arange(n.size), n.ravel())
        hour_idx, district_idx = cell // n.shape[1], cell % n.shape[1]
        size = len(hour_idx)
        mean = params["handling_mean_seconds"][channel]
        handling = rng.lognormal(np.log(mean) - 0.18, 0.6, size)
        received = utc_start[hour_idx] + rng.uniform(0, 3600, size)
        if channel == "online":
            wait = np.full(size, np.nan)
            abandoned = np.zeros(size, bool)
        else:
            # The hour's waiting-time law (Erlang C) for the calls that came and the staff on duty.
            on_duty = staff[f"call_handler_{channel}"]
            load = n.sum(axis=1) * mean / 3600
            waits_at_all = erlang_c(on_duty, load)
            rate = np.where(on_duty > load, (on_duty - load) / mean, 1 / 300)
            waited = rng.random(size) < waits_at_all[hour_idx]
            wait = np.where(waited, rng.exponential(1 / rate[hour_idx]), 0.0)
            patience = rng.exponential(params["patience_mean_seconds"][channel], size)
            abandoned = wait > patience
            wait = np.minimum(wait, patience)
        frames.append(pd.DataFrame({
            "channel": channel, "channel_idx": c, "hour_idx": hour_idx, "district_idx": district_idx,
            "received_s": received, "wait_seconds": np.round(wait, 1), "abandoned": abandoned,
            "handling_seconds": np.where(abandoned, np.nan, np.round(handling)),
        }))
    calls = pd.concat(frames, ignore_index=True).sort_values("received_s", kind="stable", ignore_index=True)
    calls["call_no"] = np.arange(len(calls))
    return calls


def draw_incidents(params: dict, calls: pd.DataFrame, hours: pd.DatetimeIndex, staff: dict,
                   districts: pd.DataFrame, neighbourhoods: pd.DataFrame, rng):
    grades = list(get_standards().grades)
    makes = ~calls["abandoned"].to_numpy() & (
        rng.random(len(calls)) < calls["channel"].map(params["incident_share"]).to_numpy())
    src = calls[makes]
    grade = np.empty(len(src), dtype=object)
    for channel in CHANNELS:
        mine = (src["channel"] == channel).to_numpy()
        p = [params["grade_share"][channel][g] for g in grades]
        grade[mine] = rng.choice(grades, size=mine.sum(), p=p)
    n = len(src)
    start = np.where(src["channel"] == "online", src["received_s"] + rng.exponential(7200, n),
                     src["received_s"] + src["wait_seconds"].fillna(0) + src["handling_seconds"] * 0.6)
    # Where: a neighbourhood of the caller's district, by population; the furthest from the
    # district's centre are rural.
    nb = neighbourhoods.assign(dist=np.hypot(
        neighbourhoods["latitude"] - neighbourhoods["parent_code"].map(districts.set_index("area_code")["latitude"]),
        neighbourhoods["longitude"] - neighbourhoods["parent_code"].map(districts.set_index("area_code")["longitude"])))
    nb["rural"] = nb["dist"] >= nb.groupby("parent_code")["dist"].transform(lambda d: d.quantile(1 - params["rural_share"]))
    district_idx = src["district_idx"].to_numpy()
    lsoa_pos = np.empty(n, int)
    for d, code in enumerate(districts["area_code"]):
        mine = np.flatnonzero(district_idx == d)
        members = np.flatnonzero(nb["parent_code"].to_numpy() == code)
        weights = nb["population"].to_numpy()[members].astype(float)
        lsoa_pos[mine] = rng.choice(members, size=len(mine), p=weights / weights.sum())
    rural = nb["rural"].to_numpy()[lsoa_pos]
    # Dispatch waits for a free officer: it grows with the deployments in the hour per officer on duty.
    hour_idx = src["hour_idx"].to_numpy()
    deployed = grade != "resolved"
    per_cell = np.zeros((len(hours), len(districts)))
    np.add.at(per_cell, (hour_idx[deployed], district_idx[deployed]), 1)
    load = per_cell * params["job_minutes"] / 60 / np.maximum(staff["response_officer"], 1)
    congestion = np.maximum(1, load[hour_idx, district_idx] / params["officer_utilisation"]) ** 1.5
    travel = rng.lognormal(0, 0.45, n) * np.where(rural, params["travel_median_minutes"]["rural"],
                                                  params["travel_median_minutes"]["urban"]) * 60
    delay = np.full(n, np.nan)
    for g in ("emergency", "priority"):
        mine = grade == g
        delay[mine] = params["dispatch_median_minutes"][g] * 60 * rng.lognormal(0, 0.7, mine.sum()) * congestion[mine]
    scheduled = grade == "scheduled"
    delay[scheduled] = rng.uniform(1, 56, scheduled.sum()) * 3600 - travel[scheduled]
    delay = np.maximum(delay, 30)
    dispatched = start + delay
    arrived = dispatched + travel
    closed = np.where(deployed, arrived + rng.lognormal(np.log(3600), 0.6, n), start + rng.lognormal(np.log(1800), 0.5, n))
    incidents = pd.DataFrame({
        "incident_no": np.arange(n), "grade_idx": [grades.index(g) for g in grade] if n else [],
        "created_s": start, "dispatched_s": np.where(deployed, dispatched, np.nan),
        "arrived_s": np.where(deployed, arrived, np.nan), "closed_s": closed,
        "district_idx": district_idx, "lsoa_idx": lsoa_pos, "rural": rural,
        "latitude": nb["latitude"].to_numpy()[lsoa_pos], "longitude": nb["longitude"].to_numpy()[lsoa_pos],
        # Call signs: the district's first two letters and a number; a second unit at half the emergencies.
        "unit_1": np.where(deployed, rng.integers(10, 60, n), -1),
        "unit_2": np.where((grade == "emergency") & (rng.random(n) < 0.5), rng.integers(60, 99, n), -1),
    })
    calls["incident_no"] = -1
    calls.loc[makes, "incident_no"] = np.arange(n)
    incidents.attrs["lsoa_codes"] = nb["area_code"].tolist()
    return incidents, calls


def load(con, calls: pd.DataFrame, incidents: pd.DataFrame, roster: pd.DataFrame,
         districts: pd.DataFrame) -> dict[str, int]:
    """Replace the demo command-and-control system's rows in one batch. Ids, codes and times
    are made in SQL from the numbers drawn, which is many times faster than in pandas."""
    codes = literal_list(districts["area_code"])
    prefixes = literal_list(districts["area_name"].str[:2].str.upper())
    grades = literal_list(get_standards().grades)
    source = quote_literal(SOURCE_SYSTEM)

    def at(seconds: str) -> str:
        return f"CASE WHEN isnan({seconds}) THEN NULL ELSE to_timestamp({seconds}) END"

    with open_batch(con, SOURCE_SYSTEM) as batch:
        for table in ("cr_call", "cr_incident", "cr_shift"):
            con.execute(f"DELETE FROM {table} WHERE source_system = ?", [SOURCE_SYSTEM])
        con.register("_peel_cr_calls", calls[["call_no", "channel_idx", "received_s", "wait_seconds", "abandoned",
                                              "handling_seconds", "district_idx", "incident_no"]])
        con.register("_peel_cr_incidents", incidents)
        try:
            con.execute(f"""
                INSERT INTO cr_call SELECT 'C' || lpad(call_no::VARCHAR, 8, '0'), {literal_list(CHANNELS)}[channel_idx + 1],
                    to_timestamp(received_s),
                    CASE WHEN abandoned OR isnan(wait_seconds) THEN NULL ELSE to_timestamp(received_s + wait_seconds) END,
                    abandoned, CASE WHEN isnan(wait_seconds) THEN NULL ELSE wait_seconds END,
                    CASE WHEN isnan(handling_seconds) THEN NULL ELSE handling_seconds END,
                    {codes}[district_idx + 1],
                    CASE WHEN incident_no >= 0 THEN 'I' || lpad(incident_no::VARCHAR, 8, '0') END,
                    {source}, 'C' || lpad(call_no::VARCHAR, 8, '0'), ? FROM _peel_cr_calls""", [batch.batch_id])
            con.execute(f"""
                INSERT INTO cr_incident SELECT 'I' || lpad(incident_no::VARCHAR, 8, '0'), {grades}[grade_idx + 1],
                    to_timestamp(created_s), {at("dispatched_s")}, {at("arrived_s")}, to_timestamp(closed_s),
                    {codes}[district_idx + 1], {literal_list(incidents.attrs["lsoa_codes"])}[lsoa_idx + 1],
                    rural, latitude, longitude,
                    list_filter([CASE WHEN unit_1 >= 0 THEN {prefixes}[district_idx + 1] || unit_1 END,
                                 CASE WHEN unit_2 >= 0 THEN {prefixes}[district_idx + 1] || unit_2 END],
                                lambda u: u IS NOT NULL),
                    {source}, 'I' || lpad(incident_no::VARCHAR, 8, '0'), ? FROM _peel_cr_incidents""",
                        [batch.batch_id])
        finally:
            con.unregister("_peel_cr_calls")
            con.unregister("_peel_cr_incidents")
        counts = {"cr_call": len(calls), "cr_incident": len(incidents),
                  "cr_shift": _insert(con, "cr_shift", roster, batch.batch_id)}
        batch.rows_read = batch.rows_loaded = sum(counts.values())
        batch.note = "generated demo force: " + ", ".join(f"{n:,} {t}" for t, n in counts.items())
    return counts
