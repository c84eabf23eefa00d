"""Benchmark: reloading one source's person records into a warehouse whose lookups are indexed
(``peel.warehouse.lookups``), against the same load keeping the indexes up to date row by row.

On copies of a published demo warehouse (``--home``, after ``peel demo-data``: 990,442 person
records, 1.78 million POLE links, the nine lookup indexes), in a temporary folder, the two in
turn ``--runs`` times:

  peel      what ``peel ingest mapped`` runs (``load_mapped`` in ``open_writer``) on one of the
            demo's extracts again (``--extract``, default the custody extract's 23,548
            arrestees; ``--snapshot`` to replace the source whole): when it replaces at least
            ``REBUILD_SHARE`` of person_record, the indexes of the tables it writes are dropped
            before it and made once after it, otherwise updated row by row
  baseline  the same load with the indexes always updated row by row (peel before)

Each is timed for the load (``load_mapped``) and for the whole new generation (copy, load,
indexes, publish). Then, on each result, ``--lookups`` random record keys looked up as an
intelligence pack asks (``record_key IN (?)`` of person_record, ``from_key IN (?)`` of
pole_link): median and 95th percentile per lookup, and whether every index is there.

Run: .venv/bin/python bench/warehouse_reload.py --home PEEL_HOME [--runs 2] [--lookups 200]
         [--extract incident_persons.csv --mapping demo_incidents.yaml --snapshot]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from peel.sources.mapped import MAPPINGS_DIR, load
from peel.warehouse import open_writer
from peel.warehouse.generations import get_current_file, get_name
from peel.warehouse.lookups import LOOKUP_INDEXES, get_index_name


@contextlib.contextmanager
def kept_up_to_date(con, *tables):
    """The baseline: leave the indexes in place, so every row written updates them."""
    yield


def reload(published: Path, extract: Path, mapping: Path, snapshot: bool, folder: Path,
           drop: bool) -> tuple[float, float, Path]:
    """Copy ``published`` into ``folder`` as a warehouse, load the extract again as a new
    generation; return the load's seconds, the whole generation's and the file published."""
    folder.mkdir()
    shutil.copyfile(published, folder / "warehouse.duckdb")
    os.environ["PEEL_HOME"] = str(folder)
    made_after = load.lookups_made_after
    if not drop:
        load.lookups_made_after = kept_up_to_date
    try:
        started = time.perf_counter()
        with open_writer(folder / "warehouse.duckdb") as con:
            before = time.perf_counter()
            load.load_mapped(con, extract, mapping, snapshot)
            loading = time.perf_counter() - before
        whole = time.perf_counter() - started
    finally:
        load.lookups_made_after = made_after
    return loading, whole, get_current_file(get_name(folder / "warehouse.duckdb"))


def lookups(file: Path, n: int) -> dict:
    """Milliseconds per lookup of ``n`` random record keys, and the indexes the file has."""
    with duckdb.connect(str(file), read_only=True) as con:
        keys = [k for (k,) in con.execute(
            f"SELECT record_key FROM person_record USING SAMPLE {n} ROWS (reservoir, 1)").fetchall()]
        times = []
        for key in keys:
            started = time.perf_counter()
            con.execute("SELECT * FROM person_record WHERE record_key IN (?)", [key]).fetchall()
            con.execute("SELECT * FROM pole_link WHERE from_key IN (?)", [key]).fetchall()
            times.append((time.perf_counter() - started) * 1000 / 2)
        indexes = {name for (name,) in con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()}
    times.sort()
    return {"median": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))],
            "all_indexes": all(get_index_name(t, c) in indexes for t, c in LOOKUP_INDEXES)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a PEEL_HOME after peel demo-data")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--extract", default="custody_arrestees.csv", help="a file of PEEL_HOME/demo/extracts")
    parser.add_argument("--mapping", default="demo_custody.yaml", help="its mapping, in peel/sources/mappings")
    parser.add_argument("--snapshot", action="store_true", help="load it as the whole of its source")
    args = parser.parse_args(argv)
    published = get_current_file(get_name(args.home / "warehouse.duckdb"))
    extract = args.home / "demo" / "extracts" / args.extract
    print(f"warehouse {published} ({published.stat().st_size / 1e6:.0f} MB), extract {extract}"
          f"{' as a snapshot' if args.snapshot else ''}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="peel-bench-reload-", dir=args.home.parent) as temp:
        for run in range(args.runs):
            for name, drop in (("peel", True), ("baseline", False)):
                folder = Path(temp) / f"{name}-{run}"
                loading, whole, file = reload(published, extract, MAPPINGS_DIR / args.mapping, args.snapshot,
                                              folder, drop)
                found = lookups(file, args.lookups)
                rows.append((name, loading, whole, found))
                print(f"{name:<9} run {run + 1}: load {loading:6.1f} s, generation {whole:6.1f} s; lookups "
                      f"median {found['median']:.1f} ms, p95 {found['p95']:.1f} ms, all nine indexes: "
                      f"{'yes' if found['all_indexes'] else 'NO'}; load average {os.getloadavg()[0]:.1f}",
                      flush=True)
                shutil.rmtree(folder)
    peel = [r for r in rows if r[0] == "peel"]
    base = [r for r in rows if r[0] == "baseline"]
    for label, i in (("load", 1), ("generation", 2)):
        a, b = statistics.median(r[i] for r in peel), statistics.median(r[i] for r in base)
        print(f"median {label}: peel {a:.1f} s, baseline {b:.1f} s, ratio {a / b:.2f}")
    a = statistics.median(r[3]["median"] for r in peel)
    b = statistics.median(r[3]["median"] for r in base)
    print(f"median lookup: peel {a:.1f} ms, baseline {b:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
