"""Benchmark: every measure for one force-month on 4+ years of demo data.

Target: all measures (including trend and seasonal pattern detection) for a force-month
in under 1 second. Baseline, in the same run: the same counts and solve rates computed with
pandas on DataFrames already in memory (no loading counted), which is what an analyst's
notebook does. Prints both times and their ratio.

    .venv/bin/python bench/measures.py
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date
from pathlib import Path

REPEATS = 5


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="peel-bench-measures-"))
    os.environ["PEEL_HOME"] = str(home)
    from peel.crime.compute import compute_measures
    from peel.demo import generate_demo_force
    from peel.warehouse import connect

    con = connect()
    t = time.perf_counter()
    summary = generate_demo_force(con, persons=False)  # persons are not measured here
    print(f"demo force generated and loaded in {time.perf_counter() - t:.1f} s: {summary.counts}")
    con.close()
    con = connect(read_only=True)
    month, as_of = date(2026, 3, 1), date(2026, 3, 11)

    peel_times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        report = compute_measures(con, "residential-burglary", month, as_of=as_of)
        peel_times.append(time.perf_counter() - t)
    without_patterns = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        compute_measures(con, "residential-burglary", month, as_of=as_of, with_patterns=False)
        without_patterns.append(time.perf_counter() - t)

    crimes = con.execute("SELECT crime_key, recorded_date, crime_subtype, district_code FROM crime").df()
    outcomes = con.execute("SELECT crime_key, outcome_date, is_positive FROM outcome").df()
    arrests = con.execute("SELECT crime_key, arrest_date FROM arrest").df()
    pandas_times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        figures = _pandas_measures(crimes, outcomes, arrests, as_of)
        pandas_times.append(time.perf_counter() - t)

    peel_best, plain_best, pandas_best = min(peel_times), min(without_patterns), min(pandas_times)
    cohort = report.figure("solve_rate_cohort", "March 2026")
    assert (cohort.numerator, cohort.denominator) == figures["cohort"], (cohort, figures)
    print(f"crimes in warehouse: {len(crimes):,}; outcomes: {len(outcomes):,}; arrests: {len(arrests):,}")
    print(f"peel, all measures with pattern detection, one force-month: {peel_best * 1000:.0f} ms (best of {REPEATS})")
    print(f"peel, the counts and rates only:                          {plain_best * 1000:.0f} ms")
    print(f"pandas baseline, the counts and rates only (in memory):    {pandas_best * 1000:.0f} ms")
    print(f"ratio peel (counts and rates) / pandas: {plain_best / pandas_best:.2f}")
    print(f"target: all measures under 1 s: {'met' if peel_best < 1 else 'NOT met'}")


def _pandas_measures(crimes, outcomes, arrests, as_of) -> dict:
    import pandas as pd

    res = crimes[crimes.crime_subtype == "Residential burglary"]
    day = pd.to_datetime(res.recorded_date)
    last12 = ((day >= "2025-03-01") & (day < "2026-03-01")).sum()
    prev12 = ((day >= "2024-03-01") & (day < "2025-03-01")).sum()
    mtd = res[(day >= "2026-03-01") & (day <= pd.Timestamp(as_of))]
    positive = outcomes[outcomes.is_positive.fillna(False) & (pd.to_datetime(outcomes.outcome_date) <= pd.Timestamp(as_of))]
    solved = mtd.crime_key.isin(positive.crime_key).sum()
    arrested = arrests[arrests.crime_key.isin(res.crime_key)]
    n_arrests = ((pd.to_datetime(arrested.arrest_date) >= "2026-03-01") & (pd.to_datetime(arrested.arrest_date) <= pd.Timestamp(as_of))).sum()
    return {"last12": last12, "prev12": prev12, "cohort": (int(solved), len(mtd)), "arrests": n_arrests}


if __name__ == "__main__":
    main()
