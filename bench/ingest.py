"""Benchmark: peel's police.uk ingest against a pandas baseline and DuckDB's bare read_csv.

Builds a large police.uk-format set under bench/out/police_uk/ (the real Hertfordshire
files repeated with altered Crime IDs and shifted months, >= 2 million rows), then in the
same run times, into a fresh on-disk DuckDB file each:

  peel    peel.sources.police_uk.ingest_police_uk: validation, outcome mapping, provenance,
          quarantine, areas (the full load)
  pandas  pandas.read_csv of every file (all text) + insert of the frames into DuckDB
  duckdb  DuckDB read_csv of the same files into tables (the limit on this machine)

Run: .venv/bin/python bench/ingest.py [--copies N] [--reuse]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "police_uk"
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


def fresh_db(name: str) -> duckdb.DuckDBPyConnection:
    path = OUT / f"{name}.duckdb"
    for p in (path, Path(str(path) + ".wal")):
        if p.exists():
            p.unlink()
    return duckdb.connect(str(path))


def time_peel() -> tuple[float, int]:
    from peel.sources.police_uk import ingest_police_uk
    from peel.warehouse import connect

    path = OUT / "peel.duckdb"
    for p in (path, Path(str(path) + ".wal")):
        if p.exists():
            p.unlink()
    con = connect(path)
    start = time.perf_counter()
    result = ingest_police_uk(con, [DATA])
    seconds = time.perf_counter() - start
    con.close()
    print(
        f"  peel: read {result.rows_read:,}, loaded {result.rows_loaded:,}, "
        f"quarantined {result.rows_quarantined:,}, flagged {result.rows_flagged:,}"
    )
    return seconds, result.rows_read


def time_pandas() -> tuple[float, int]:
    con = fresh_db("pandas")
    start = time.perf_counter()
    rows = 0
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
    seconds = time.perf_counter() - start
    con.close()
    return seconds, rows


def time_duckdb() -> tuple[float, int]:
    con = fresh_db("duckdb")
    start = time.perf_counter()
    rows = 0
    for kind in ("street", "outcomes"):
        files = [str(p) for p in sorted(DATA.glob(f"*-{kind}.csv"))]
        con.execute(f"CREATE TABLE {kind} AS SELECT * FROM read_csv(?, header = true)", [files])
        rows += con.execute(f"SELECT count(*) FROM {kind}").fetchone()[0]
    seconds = time.perf_counter() - start
    con.close()
    return seconds, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--copies", type=int, default=11, help="copies of the 13 real months (11 -> 2.1M rows)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the set built by an earlier run"
    )
    args = parser.parse_args()
    if not REAL.exists():
        print(f"The real police.uk files are missing: expected them in {REAL}")
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    if args.reuse and DATA.exists():
        print(f"Reusing the set under {DATA}")
        built = sum(max(0, len(p.read_bytes().splitlines()) - 1) for p in DATA.glob("*.csv"))
    else:
        print(f"Building {args.copies} copies of the real files under {DATA} ...")
        built = build_data(args.copies)
    files = len(list(DATA.glob("*.csv")))
    print(f"  {built:,} rows in {files} files")

    results = {}
    for name, run in (("duckdb", time_duckdb), ("pandas", time_pandas), ("peel", time_peel)):
        print(f"Timing {name} ...")
        seconds, rows = run()
        results[name] = (seconds, rows)
        print(f"  {name}: {rows:,} rows in {seconds:.2f} s = {rows / seconds:,.0f} rows/s")

    peel_s, duck_s, pandas_s = results["peel"][0], results["duckdb"][0], results["pandas"][0]
    print()
    print(f"{'':8}{'seconds':>10}{'rows/s':>14}")
    for name, (seconds, rows) in results.items():
        print(f"{name:8}{seconds:>10.2f}{rows / seconds:>14,.0f}")
    print()
    print(f"peel vs pandas baseline: peel is {pandas_s / peel_s:.2f}x as fast (target > 1)")
    print(f"peel vs bare DuckDB read: peel takes {peel_s / duck_s:.2f}x as long (target <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
