"""Benchmark: generate and load the demo force, 2022-01..2026-03 at full volume.

Target: under 60 seconds for crimes, outcomes and arrests (generation and load together), and
the test-sized run (size 0.1, two years) under 10 seconds. Baseline, in the same run: loading
the same crime rows into a fresh warehouse row by row (``executemany``, what a loop over
records does), timed on a sample and scaled to all rows; printed beside peel's bulk load
(DuckDB scanning the DataFrame) with the ratio. The full run with the persons generator
(another module) is timed too, for the total a user waits for ``peel demo-data``.

    .venv/bin/python bench/demo_force.py
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

BASELINE_SAMPLE = 5_000


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="peel-bench-demo-"))
    os.environ["PEEL_HOME"] = str(root / "full")

    from peel.demo import SMALL_DEMO, generate_demo_force, make_random_streams, read_effects
    from peel.demo.crimes import generate_crime_data
    from peel.demo.force import generate_force
    from peel.demo.load import load_crime_records, load_custody
    from peel.warehouse import connect
    from peel.warehouse.sql import quote_identifier

    con = connect()
    t = time.perf_counter()
    summary = generate_demo_force(con, persons=False)
    whole = time.perf_counter() - t
    rows = sum(summary.counts.values())
    print(
        f"peel demo force 2022-01..2026-03, size 1 (no persons): {whole:.1f} s for {rows:,} rows {summary.counts}"
    )

    # The same steps, timed apart: generation, then the bulk load.
    effects = read_effects()
    rngs = make_random_streams(42)
    from datetime import date

    t = time.perf_counter()
    force = generate_force(rngs["force"], effects["diwali_burglary"]["min_hindu_share"])
    data = generate_crime_data(
        force, date(2022, 1, 1), date(2026, 3, 11), date(2026, 3, 11), 1.0, effects, rngs
    )
    generate_s = time.perf_counter() - t
    t = time.perf_counter()
    load_crime_records(con, force.areas, data)
    load_custody(con, data)
    load_s = time.perf_counter() - t
    print(
        f"  generation {generate_s:.1f} s, bulk load {load_s:.1f} s ({rows / load_s:,.0f} rows/s)"
    )
    con.close()

    # Baseline: row-by-row inserts of the same crime rows into a fresh warehouse.
    os.environ["PEEL_HOME"] = str(root / "baseline")
    base = connect()
    sample = data.crimes.head(BASELINE_SAMPLE)
    columns = ", ".join(quote_identifier(c) for c in sample.columns)
    marks = ", ".join("?" for _ in sample.columns)
    records = [list(r) + [0] for r in sample.itertuples(index=False)]
    t = time.perf_counter()
    base.execute("BEGIN TRANSACTION")
    base.executemany(f"INSERT INTO crime ({columns}, batch_id) VALUES ({marks}, ?)", records)
    base.execute("COMMIT")
    baseline_s = time.perf_counter() - t
    per_row = baseline_s / len(records)
    print(
        f"baseline row-by-row insert: {len(records):,} crime rows in {baseline_s:.1f} s "
        f"({1 / per_row:,.0f} rows/s); all {rows:,} rows would take ~{per_row * rows:,.0f} s"
    )
    print(
        f"ratio: bulk load is {per_row * rows / load_s:,.0f}x faster than row by row; "
        f"whole run {whole:.1f} s against the 60 s target"
    )
    base.close()

    # The test-sized run other tests use as a fixture.
    os.environ["PEEL_HOME"] = str(root / "small")
    small = connect()
    t = time.perf_counter()
    generate_demo_force(small, persons=False, **SMALL_DEMO)
    print(
        f"test-sized run {SMALL_DEMO} (no persons): {time.perf_counter() - t:.1f} s against the 10 s target"
    )
    small.close()

    # What a user waits for: the CLI's run, persons generator included (when it exists).
    os.environ["PEEL_HOME"] = str(root / "with-persons")
    full = connect()
    t = time.perf_counter()
    summary = generate_demo_force(full)
    print(
        f"full run with persons generator: {time.perf_counter() - t:.1f} s "
        f"(persons: {'run' if summary.persons and 'skipped' not in summary.persons else summary.persons or 'absent'})"
    )
    full.close()


if __name__ == "__main__":
    main()
