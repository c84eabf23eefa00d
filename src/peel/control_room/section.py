"""The pack's "Control-room resource management" section (agenda item 5): last month's answer
and attendance performance against the standards, the forecast for the two weeks after the
data ends, and the gap between the staffing proposed and the roster worked in the last full
week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pandas as pd

from peel.control_room.demand import hourly_demand
from peel.control_room.forecast import forecast_demand
from peel.control_room.performance import month_performance
from peel.control_room.proposal import HISTORY_WEEKS, WeekPlan, plan_week
from peel.control_room.response import kept_officers_week
from peel.control_room.roster import Roster, solve_handler_roster
from peel.control_room.standards import get_standards
from peel.measures.registry import get_measures
from peel.render import render_template
from peel.section import SectionKind

FORECAST_DAYS = 14
SERIES = ["999", "101", "online", "emergency", "priority", "scheduled", "resolved"]  # forecast columns


@dataclass
class ControlRoomSection:
    month: date  # the month reported: the last complete month before the pack's
    data_to: date
    performance: dict  # measure (or measure:grade) -> (this month, a year earlier)
    forecast: list[dict]  # per local day ahead: day, and per channel the calls forecast
    week: WeekPlan | None
    hours_short: int  # hours of that week the roster worked had fewer 999 handlers than proposed
    roster: Roster | None = None  # the 999 handlers' roster proposed for that week, rules kept
    officers: pd.DataFrame | None = None  # response officers per district and shift pattern
    notes: tuple[str, ...] = ()  # what could not be planned, and why


def get_data_to(con: duckdb.DuckDBPyConnection) -> date | None:
    """The last local day the control room's calls cover."""
    tz = get_standards().time_zone
    row = con.execute("SELECT max(timezone(?, received_at))::DATE FROM cr_call", [tz]).fetchall()[0]
    return row[0] if row else None


def get_control_room_section(con: duckdb.DuckDBPyConnection, month: date, as_of: date | None = None) -> ControlRoomSection:
    data_to = get_data_to(con)
    if data_to is None:
        raise ValueError("No control-room calls loaded: run peel demo-data or peel control-room load.")
    if as_of is not None:
        data_to = min(data_to, as_of)
    last_month = (month.replace(day=1) - timedelta(days=1)).replace(day=1)
    performance = month_performance(con, last_month)
    ahead = forecast_ahead(con, data_to, FORECAST_DAYS)
    daily = ahead.pivot_table(index="day", columns="unique_id", values="mean", aggfunc="sum").round()
    forecast = [{"day": day, **{c: int(v) for c, v in row.items()}} for day, row in daily.iterrows()]
    # The last full week (Monday to Sunday) the data covers, with the roster worked in it.
    week_start = data_to - timedelta(days=data_to.weekday()) - timedelta(days=7)
    try:
        week = plan_week(con, week_start)
    except ValueError:
        return ControlRoomSection(last_month, data_to, performance, forecast, None, 0)
    short = int((week.hours["worked_999"] < week.hours["handlers_999"]).sum())
    roster, officers, notes = None, None, []
    try:
        roster = solve_handler_roster(week)
    except ValueError as error:
        notes.append(str(error))
    try:
        officers = kept_officers_week(con, week_start)
    except ValueError as error:
        notes.append(str(error))
    return ControlRoomSection(last_month, data_to, performance, forecast, week, short, roster, officers, tuple(notes))


# What a forecast is broken down by: the series (demand.SERIES kind, by district or not) it forecasts.
FORECAST_BY = {"all": [("channel", False), ("grade", False)], "channel": [("channel", False)],
               "grade": [("grade", False)], "district": [("grade", True)]}


def forecast_ahead(con: duckdb.DuckDBPyConnection, data_to: date, days: int, by: str = "all") -> pd.DataFrame:
    """Hourly forecasts for ``days`` after ``data_to``, learnt from the HISTORY_WEEKS before it,
    with each hour's local ``day``: every channel and grade force-wide (``by`` 'all'), or
    channels, grades, or grades by district ('grade|district')."""
    if by not in FORECAST_BY:
        raise ValueError(f"Unknown breakdown '{by}': choose one of {', '.join(FORECAST_BY)}.")
    since, until = data_to - timedelta(weeks=HISTORY_WEEKS), data_to + timedelta(days=1)
    history = pd.concat([hourly_demand(con, since, until, kind, district) for kind, district in FORECAST_BY[by]])
    ahead = forecast_demand(history, days * 24)
    ahead["day"] = ahead["ds"].dt.tz_localize("UTC").dt.tz_convert(get_standards().time_zone).dt.date
    return ahead


def daily_forecast(ahead: pd.DataFrame) -> list[dict]:
    """Per local day and series: the forecast, and a rough range (the hourly 80% intervals
    summed: wider than a day's own 80% interval, as hours' errors partly cancel)."""
    daily = ahead.groupby(["day", "unique_id"])[["mean", "lo", "hi"]].sum().round().astype(int).reset_index()
    return [{"day": r.day.isoformat(), "series": r.unique_id, "mean": int(r.mean), "low": int(r.lo), "high": int(r.hi)}
            for r in daily.itertuples()]


def render_control_room_section(section: ControlRoomSection) -> str:
    standards = get_standards()
    return render_template(
        "control_room/section.html.j2", section=section, grades=standards.grades, series=SERIES,
        rows=[{**r, "value": format_value(r["value"], r["unit"]),
               "year_earlier": format_value(r["year_earlier"], r["unit"])} for r in as_rows(section.performance)],
        channels=standards.channels, measures=list(get_measures("control_room").values()),
        totals=section.week.totals() if section.week is not None else None,
        roster_grid=roster_grid(section.roster) if section.roster is not None else None,
        officers=officer_rows(section.officers), patterns=standards.response_patterns,
        rules=standards.working_time, goal=standards.attendance_goal,
    )


def roster_grid(roster: Roster) -> dict:
    """Shifts across, days down: staff starting each shift; for the pack and the web page."""
    grid = roster.shifts.pivot(index="day", columns="shift", values="staff")
    order = list(dict.fromkeys(roster.shifts["shift"]))
    return {"shifts": order, "days": [[int(day) + 1, *[int(grid.loc[day, s]) for s in order]] for day in grid.index],
            "people": roster.people, "staff_hours": roster.staff_hours, "worked_hours": roster.worked_hours()}


def officer_rows(officers: pd.DataFrame | None) -> list[dict]:
    """The officers table's rows, missing values as None (JSON and templates alike)."""
    if officers is None:
        return []
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in officers.to_dict(orient="records")]


KIND = SectionKind(
    name="control_room_resources",
    domain="control_room",
    description="Last month's 999, 101 and attendance performance, the demand forecast for the next two "
                "weeks, and the staffing proposed against the roster worked.",
    needs="control-room calls and incidents (peel demo-data, or peel control-room load)",
    get_data_to=get_data_to,
    build=get_control_room_section,
    render=render_control_room_section,
)


def as_rows(performance: dict) -> list[dict]:
    """The performance figures as table rows, for the pack, the web page and the JSON API."""
    measures = get_measures("control_room")
    rows = []
    for key, (now, then) in performance.items():
        measure_id, _, grade = key.partition(":")
        m = measures[measure_id]
        name = m.name + (f": {get_standards().grades[grade].name}" if grade else "")
        rows.append({"measure": measure_id, "grade": grade or None, "name": name, "unit": m.unit,
                     "value": None if now is None else now.value, "count": None if now is None else now.denominator,
                     "year_earlier": None if then is None else then.value})
    return rows


def format_value(value: float | None, unit: str) -> str:
    if value is None or pd.isna(value):
        return "no data"
    return f"{value:.1%}" if unit == "percent" else f"{value:,.0f} s" if unit == "seconds" else f"{value:,.0f}"
