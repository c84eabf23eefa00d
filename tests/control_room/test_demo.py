"""The demo control room: its planted events and rhythms are in the records, controls are not."""

import json
from datetime import date

import pandas as pd
import pytest

from peel.control_room.demand import hourly_demand
from peel.demo.control_room import TRUTH_FILE


@pytest.fixture(scope="module")
def truth(control_room_demo):
    return json.loads((control_room_demo.truth_dir / TRUTH_FILE).read_text())


@pytest.fixture(scope="module")
def series(control_room_demo):
    frame = hourly_demand(control_room_demo.con, date(2025, 1, 1), date(2026, 3, 10))
    frame["local"] = frame["ds"].dt.tz_localize("UTC").dt.tz_convert("Europe/London")
    return frame


def window_mean(series: pd.DataFrame, entries: list, channel: str) -> float:
    totals = []
    for e in entries:
        start = pd.Timestamp(f"{e['day']} {e['start']}", tz="Europe/London")
        inside = (series["local"] >= start) & (series["local"] < start + pd.Timedelta(hours=e["hours"]))
        totals.append(series.loc[inside & (series["unique_id"] == channel), "y"].sum())
    return sum(totals) / len(totals)


def test_generate_loads_every_table(control_room_demo):
    counts = control_room_demo.counts
    assert set(counts) == {"cr_call", "cr_incident", "cr_shift"}
    assert counts["cr_call"] > 40_000 and counts["cr_incident"] > 15_000
    linked = control_room_demo.con.execute(
        "SELECT count(*) FROM cr_call c JOIN cr_incident i USING (incident_id)").fetchone()[0]
    assert linked == counts["cr_incident"]


def test_generate_plants_each_kind_of_event_with_controls(truth):
    names = {e["name"] for e in truth["events"]}
    assert names == {"New Year's Eve", "Diwali", "Home football fixture", "Hot weekend"}
    assert {c["name"] for c in truth["controls"]} >= {"New Year's Eve control", "Diwali control"}


def test_generate_new_years_eve_demand_is_above_its_control(series, truth):
    event = [e for e in truth["events"] if e["name"] == "New Year's Eve"]
    control = [c for c in truth["controls"] if c["name"] == "New Year's Eve control"]
    assert window_mean(series, event, "999") > 1.6 * window_mean(series, control, "999")


def test_generate_hot_weekends_are_busier_than_other_summer_weekends(series, truth):
    hot = [e for e in truth["events"] if e["name"] == "Hot weekend"]
    other = [c for c in truth["controls"] if c["name"] == "Summer weekend (control)"]
    assert window_mean(series, hot, "999") > 1.15 * window_mean(series, other, "999")


def test_generate_101_is_quieter_on_bank_holidays(series):
    local_day = series["local"].dt.date
    daily = series[series["unique_id"] == "101"].groupby(local_day)["y"].sum()
    bank = [date(2025, 5, 5), date(2025, 5, 26), date(2025, 8, 25)]  # Mondays
    mondays = [d for d in daily.index if d.weekday() == 0 and d.month in (5, 6, 8) and d not in bank]
    assert daily[bank].mean() < 0.85 * daily[mondays].mean()


def test_generate_roster_covers_every_hour(control_room_demo):
    con = control_room_demo.con
    gaps = con.execute("""
        SELECT count(*) FROM (SELECT DISTINCT date_trunc('hour', received_at) AS h FROM cr_call
                              WHERE channel = '999') c
        WHERE NOT EXISTS (SELECT 1 FROM cr_shift s WHERE s.role = 'call_handler_999'
                          AND c.h >= s.starts_at AND c.h < s.ends_at)""").fetchone()[0]
    assert gaps == 0
