"""Benchmark: peel's police.uk ingest against a pandas baseline and DuckDB's bare read_csv.

Builds a large police.uk-format set under bench/out/police_uk/ (the real Hertfordshire
files repeated with altered Crime IDs and shifted months, >= 2 million rows), then in the
same run times, into a fresh on-disk DuckDB file each:

  peel    peel.sources.police_uk.ingest_police_uk: validation, outcome mapping, provenance,
          quarantine, areas (the full load)
  pandas  pandas.read_csv of every file (all text) + insert of the frames into DuckDB
  duckdb  DuckDB read_csv of the same files into tables (the limit on this machine)

Each contender runs ``--runs`` times (default 2, in turn, so a busy spell on the shared
machine hits all of them); the table shows every run and the ratios use the medians.

Run: .venv/bin/python bench/ingest.py [--copies N] [--reuse] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
REAL_ZIP = ROOT / "tests" / "data" / "police_uk" / "hertfordshire-2021-01-to-2022-01.zip"
REAL = ROOT / "bench" / "out" / "police-uk-real"  # the zip's CSVs, unpacked once


def unpack_real() -> None:
    """The repository's real Hertfordshire files, unpacked flat into REAL (once)."""
    if REAL.exists():
        return
    REAL.mkdir(parents=True)
    with zipfile.ZipFile(REAL_ZIP) as archive:
        for member in archive.namelist():
            if member.endswith(".csv"):
                (REAL / Path(member).name).write_bytes(archive.read(member))
OUT = ROOT / "bench" / "out"
DATA = OUT / "police_uk"


def shift_month(month: str, by: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + mon - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def build_data(copies: int) -> int:
    """Write ``copies`` copies of the real files (13 months each), months shifted so no two
    copies share a month, Crime IDs prefixed per copy. Returns the data rows written."""
    if DATA.exists():
        shutil.rmtree(DATA)
    DATA.mkdir(parents=True)
    con = duckdb.connect()
    rows = 0
    for path in sorted(REAL.glob("*-hertfordshire-*.csv")):
        month, kind = path.name[:7], path.name[len("YYYY-MM-hertfordshire-") : -len(".csv")]
        for copy in range(copies):
            new_month = shift_month(month, -13 * copy)
            target = DATA / f"{new_month}-hertfordshire-{kind}.csv"
            con.execute(
                f"""COPY (SELECT CASE WHEN "Crime ID" IS NULL THEN NULL
                                 ELSE '{copy:02x}' || "Crime ID"[3:] END AS "Crime ID",
                                 '{new_month}' AS "Month", * EXCLUDE ("Crime ID", "Month")
                          FROM read_csv(?, all_varchar = true, header = true))
                    TO '{target}' (HEADER, DELIMITER ',')""",
                [str(path)],
            )
            rows += con.execute(
                "SELECT count(*) FROM read_csv(?, all_varchar = true)", [str(target)]
            ).fetchone()[0]
    # COPY puts the columns back in the original order only if we ask: check the header.
    first = next(DATA.glob("*-street.csv")).read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("Crime ID,Month,Reported by"), first
    return rows


def cpu_seconds() -> float:
    """CPU time of this process, all threads (DuckDB's included). The machine is shared:
    wall time depends on what else runs, CPU time much less."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fresh_db(name: str) -> duckdb.DuckDBPyConnection:
    path = OUT / f"{name}.duckdb"
    for p in (path, Path(str(path) + ".wal")):
        if p.exists():
            p.unlink()
    return duckdb.connect(str(path))


class Clock:
    """Wall and CPU seconds of a block: ``with Clock() as c: ...; c.wall, c.cpu``."""

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._wall
        self.cpu = cpu_seconds() - self._cpu


# Each run ends with closing its database, so every contender's data is on disk when timed.


def run_peel() -> tuple[Clock, int]:
    from peel.sources.police_uk import ingest_police_uk
    from peel.warehouse import connect

    fresh_db("peel").close()
    (OUT / "peel.duckdb").unlink()
    con = connect(OUT / "peel.duckdb")  # creating the schema is not part of the load
    with Clock() as clock:
        result = ingest_police_uk(con, [DATA])
        con.close()
    print(
        f"  peel: read {result.rows_read:,}, loaded {result.rows_loaded:,}, "
        f"quarantined {result.rows_quarantined:,}, flagged {result.rows_flagged:,}"
    )
    return clock, result.rows_read


def run_pandas() -> tuple[Clock, int]:
    rows = 0
    with Clock() as clock:
        con = fresh_db("pandas")
        for kind in ("street", "outcomes"):
            frames = [
                pd.read_csv(p, dtype=str, keep_default_na=False)
                for p in sorted(DATA.glob(f"*-{kind}.csv"))
            ]
            frame = pd.concat(frames, ignore_index=True)
            rows += len(frame)
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {kind} AS SELECT * FROM frame")
            con.unregister("frame")
        con.close()
    return clock, rows


def run_duckdb() -> tuple[Clock, int]:
    rows = 0
    with Clock() as clock:
        con = fresh_db("duckdb")
        for kind in ("street", "outcomes"):
            files = [str(p) for p in sorted(DATA.glob(f"*-{kind}.csv"))]
            con.execute(f"CREATE TABLE {kind} AS SELECT * FROM read_csv(?, header = true)", [files])
            rows += con.execute(f"SELECT count(*) FROM {kind}").fetchone()[0]
        con.close()
    return clock, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--copies", type=int, default=11, help="copies of the 13 real months (11 -> 2.1M rows)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the set built by an earlier run"
    )
    parser.add_argument(
        "--runs", type=int, default=2, help="times each contender runs (ratios use medians)"
    )
    args = parser.parse_args()
    if not REAL_ZIP.exists():
        print(f"The real police.uk files are missing: expected them in {REAL_ZIP}")
        return 1
    unpack_real()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.reuse and DATA.exists():
        print(f"Reusing the set under {DATA}")
        built = sum(max(0, len(p.read_bytes().splitlines()) - 1) for p in DATA.glob("*.csv"))
    else:
        print(f"Building {args.copies} copies of the real files under {DATA} ...")
        built = build_data(args.copies)
    files = len(list(DATA.glob("*.csv")))
    print(
        f"  {built:,} rows in {files} files; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )

    results: dict[str, list[tuple[Clock, int]]] = {"duckdb": [], "pandas": [], "peel": []}
    runners = {"duckdb": run_duckdb, "pandas": run_pandas, "peel": run_peel}
    for run_no in range(1, args.runs + 1):
        for name, run in runners.items():
            print(f"Timing {name} (run {run_no} of {args.runs}) ...")
            clock, rows = run()
            results[name].append((clock, rows))
            print(
                f"  {name}: {rows:,} rows in {clock.wall:.2f} s = {rows / clock.wall:,.0f} rows/s"
            )

    print()
    print(f"{'':8}{'run':>4}{'wall s':>9}{'rows/s':>12}{'CPU s':>9}{'rows/CPU s':>12}")
    for name, runs in results.items():
        for run_no, (clock, rows) in enumerate(runs, start=1):
            print(
                f"{name:8}{run_no:>4}{clock.wall:>9.2f}{rows / clock.wall:>12,.0f}"
                f"{clock.cpu:>9.2f}{rows / clock.cpu:>12,.0f}"
            )
    wall = {n: statistics.median(c.wall for c, _ in runs) for n, runs in results.items()}
    cpu = {n: statistics.median(c.cpu for c, _ in runs) for n, runs in results.items()}
    print()
    print(
        f"medians of {args.runs} run(s): "
        + ", ".join(f"{n} {wall[n]:.2f} s wall / {cpu[n]:.2f} s CPU" for n in results)
    )
    print(
        f"peel vs pandas baseline: peel is {wall['pandas'] / wall['peel']:.2f}x as fast by wall time, "
        f"{cpu['pandas'] / cpu['peel']:.2f}x by CPU time (target > 1)"
    )
    print(
        f"peel vs bare DuckDB read: peel takes {wall['peel'] / wall['duckdb']:.2f}x as long by wall time, "
        f"{cpu['peel'] / cpu['duckdb']:.2f}x by CPU time (target <= 1.5)"
    )
    print(f"load average now {os.getloadavg()[0]:.1f}: other work on the machine moves wall times")
    return 0


if __name__ == "__main__":
    sys.exit(main())
