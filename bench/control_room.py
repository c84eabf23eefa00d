"""Benchmark: the control room's hourly forecast against a seasonal-naive baseline, and the
time to forecast and staff a year of hours for every channel, grade and district.

On the demo force's control room (two years, in a temporary PEEL_HOME, never the user's):

- **error**: back-tested from ``--cutoffs`` past cut-offs 14 days apart, each forecasting the
  next 14 days hour by hour for the force's 999, 101 and online contacts and its incidents by
  grade; MASE per horizon day for the forecast and the seasonal-naive baseline (same hour
  last week), the share of actual hours inside the 80% intervals, and the worst days.
  Targets: lower error than the baseline at every horizon, coverage 75-85%.
- **speed**: a year of hours forecast 14 days at a time (26 cut-offs) for every channel and
  grade in every district and force-wide, then call handlers per hour (Erlang C) for 999 and
  101. Target: under a minute. Then response officers per district and shift pattern for one
  week, by simulation (simpy), timed apart. The baseline in the
  same run is the seasonal-naive forecast alone over the same series and cut-offs.

    .venv/bin/python bench/control_room.py              # size 1, 20 cut-offs
    .venv/bin/python bench/control_room.py --size 0.3   # a quicker look
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=1.0)
    parser.add_argument("--cutoffs", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ["PEEL_HOME"] = tempfile.mkdtemp(prefix="peel-bench-control-room-")

    import numpy as np
    import pandas as pd

    from peel.control_room.demand import hourly_demand
    from peel.control_room.forecast import backtest
    from peel.control_room.staffing import mean_handling_seconds, plan_handlers
    from peel.demo import control_room
    from peel.demo.domains import DemoContext
    from peel.demo.force import generate_force
    from peel.warehouse import connect

    con = connect()
    first, last = date(2024, 3, 1), date(2026, 2, 28)
    ctx = DemoContext(con=con, force=generate_force(np.random.default_rng(42), 0.15), data=None,
                      first_day=first, last_day=last, as_of=date(2026, 3, 11), size=args.size, seed=42,
                      out_dir=Path(os.environ["PEEL_HOME"]) / "demo", persons=False)
    started = time.perf_counter()
    counts = control_room.generate(ctx)
    print(f"demo control room, size {args.size}: {counts} in {time.perf_counter() - started:.1f} s")

    force = pd.concat([hourly_demand(con, first, date(2026, 3, 1), kind) for kind in ("channel", "grade")])
    result = backtest(force, cutoffs=args.cutoffs)
    print(f"\nBack-test: {len(result.cutoffs)} cut-offs, {result.cutoffs[0]:%Y-%m-%d} .. "
          f"{result.cutoffs[-1]:%Y-%m-%d}, {force['unique_id'].nunique()} force-wide series")
    print("horizon day  forecast MASE  seasonal-naive MASE  ratio")
    for row in result.mase.itertuples():
        print(f"{row.horizon_day:>11}  {row.forecast:>13.3f}  {row.seasonal_naive:>19.3f}  "
              f"{row.forecast / row.seasonal_naive:>5.2f}")
    print(f"lower error than the baseline at every horizon: {'yes' if result.beats_baseline_every_day else 'NO'}")
    print(f"80% interval coverage: {result.coverage:.1%} (target 75-85%)")
    print("worst days (mean scaled error):")
    for row in result.worst_days.itertuples():
        print(f"  {row.day}  {row.scaled_error:.2f}  {row.calendar}")

    by_district = pd.concat([hourly_demand(con, first, date(2026, 3, 1), kind, by_district=True)
                             for kind in ("channel", "grade")])
    series = pd.concat([by_district, force])
    handling = {c: mean_handling_seconds(con, c) for c in ("999", "101")}

    def year(baseline_only: bool) -> float:
        from peel.control_room.forecast import rolling_forecasts, to_local_clock

        started = time.perf_counter()
        local = to_local_clock(series).drop(columns="filled")  # the weekly pattern follows the clock
        if baseline_only:
            from statsforecast import StatsForecast
            from statsforecast.models import SeasonalNaive

            sf = StatsForecast(models=[SeasonalNaive(season_length=168)], freq="h")
            sf.cross_validation(df=local, h=14 * 24, n_windows=26, step_size=14 * 24, level=[80])
        else:
            rows = rolling_forecasts(local, 14 * 24, cutoffs=26)
            for channel in ("999", "101"):
                plan_handlers(rows[rows["unique_id"] == channel], channel, handling[channel])
        return time.perf_counter() - started

    full, alone = year(False), year(True)
    print(f"\nA year of hourly forecasts (26 x 14 days) for {series['unique_id'].nunique()} series "
          f"with staffing: {full:.1f} s (target under 60 s); seasonal naive alone: {alone:.1f} s "
          f"(ratio {full / alone:.1f}); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    officers(con)
    return 0


def officers(con) -> None:
    """Response officers per district and shift pattern for the data's last week, simulated
    (simpy) against the week's forecast: the time it takes and the officer-hours per pattern."""
    from peel.control_room.response import officers_week

    week = date(2026, 2, 23)  # the last full week before the data ends
    started = time.perf_counter()
    table = officers_week(con, week)  # forecast from the weeks before it, as the pack does
    took = time.perf_counter() - started
    totals = table.groupby("pattern")[["officer_hours", "within_emergency"]].agg(
        {"officer_hours": "sum", "within_emergency": "mean"})
    print(f"\nResponse officers for the week of {week} ({table['district'].nunique()} districts, "
          f"{len(table)} district x pattern simulations): {took:.1f} s")
    for pattern, row in totals.iterrows():
        planned = table[(table["pattern"] == pattern) & (table["note"] == "")]
        print(f"  {pattern}: {len(planned)} districts planned, {row.officer_hours:,.0f} officer-hours, emergencies "
              f"within target {row.within_emergency:.1%} (mean of districts); roster worked in them "
              f"{planned['worked_officer_hours'].sum():,}")
    for note in table.loc[table["note"] != "", ["district", "note"]].itertuples():
        print(f"  {note.district}: {note.note}")


if __name__ == "__main__":
    sys.exit(main())
