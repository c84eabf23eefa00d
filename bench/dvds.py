"""Benchmark: Clare's Law recognition on the demo force, against its planted truth.

For each seed (--seeds, default three), into a fresh PEEL_HOME under bench/out/dvds/: the demo
force (--size, default the test-sized 0.1), linkage over its persons, then

  scan      peel.dvds.recognition.scan: the declared rules (peel/dvds/rules.yaml) over the
            latest linkage run, timed
  baseline  one plain read of what the scan reads (every linked record with its event and
            address links), timed: the scan's cost is given as a ratio to it

and prints recall and precision against the planted truth (target: recall >= 0.9 at
precision >= 0.8), the controls raised and every miss with its reason; then each figure's
spread over the seeds.

Then, unless --persons 0, the full scan at scale (target: 1,000,000 persons in under a
minute): the last seed's linked warehouse copied over and over, every key made unique per
copy (record, entity, event and address), until it holds --persons entities, and the scan
and the baseline timed on it. The machine's load average is printed with every timing: on a
shared machine the wall time moves with it.

Run: .venv/bin/python bench/dvds.py [--size 0.1] [--seeds 42 7 2026] [--persons 1000000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

OUT = Path(__file__).parent / "out" / "dvds"
TABLES_COPIED = {  # table -> the columns each copy makes unique
    "linkage_run": (),
    "linkage_entity": ("record_key", "entity_id"),
    "person_record": ("record_key", "event_key"),
    "event": ("event_key",),
    "pole_link": ("from_key", "to_key"),
    "linkage_object_key": ("source_key", "resolved_key"),
}
BASELINE = """SELECT count(*), count(DISTINCT l.to_key) FROM linkage_entity e
               JOIN person_record r USING (record_key) JOIN pole_link l ON l.from_key = r.record_key
               WHERE e.run_id = ?"""


def load() -> str:
    return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


def timed(action) -> tuple[object, float]:
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def run_seed(seed: int, size: float) -> dict:
    """Generate, link and scan one demo force; print and return its figures."""
    home = OUT / f"seed-{seed}"
    os.environ["PEEL_HOME"] = str(home)
    from peel.demo import SMALL_DEMO, generate_demo_force
    from peel.dvds.evaluate import evaluate
    from peel.dvds.recognition import scan
    from peel.linkage.warehouse_run import link_warehouse
    from peel.settings import get_settings
    from peel.warehouse import connect

    con = connect()
    generate_demo_force(con, **{**SMALL_DEMO, "size": size}, seed=seed)
    con.close()
    summary = link_warehouse()
    con = connect(read_only=True)
    _, baseline = timed(lambda: con.execute(BASELINE, [summary["run_id"]]).fetchall())
    candidates, took = timed(lambda: scan(con))
    result = evaluate(con, candidates, get_settings().demo_dir / "truth" / "dvds_situations.json")
    con.close()
    print(f"\nseed {seed}: {summary['records']:,} records -> {summary['entities']:,} entities")
    print(f"  scan: {took:.2f} s ({took / baseline:.1f} x the baseline read, {baseline:.2f} s; {load()})")
    print(f"  situations planted: {result.situations}, found: {result.found}, candidates: {result.candidates}, "
          f"true: {result.true_candidates}")
    print(f"  recall {result.recall:.3f}  precision {result.precision:.3f}  (target >= 0.9 at >= 0.8)")
    print(f"  controls raised: {result.controls_raised or 'none'}")
    for miss in result.misses:
        print(f"  miss: person {miss['person']} ({', '.join(miss['evidence'])}): {miss['reason']}: {miss['detail']}")
    return {"seed": seed, "recall": result.recall, "precision": result.precision, "scan_s": took,
            "home": home, "run_id": summary["run_id"]}


def spread(rows: list[dict], name: str) -> str:
    values = [r[name] for r in rows]
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return (f"{name}: min {min(values):.3f}, max {max(values):.3f}, mean {statistics.mean(values):.3f}, "
            f"sd {sd:.3f}")


def scale_up(source: Path, target: Path, persons: int) -> tuple[int, int]:
    """Copy the linked warehouse at ``source`` into ``target`` until it holds ``persons``
    entities; return (copies, entities)."""
    import duckdb

    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
    run = con.execute("SELECT max(run_id) FROM src.linkage_run").fetchone()[0]
    entities = con.execute("SELECT count(DISTINCT entity_id) FROM src.linkage_entity WHERE run_id = ?",
                           [run]).fetchone()[0]
    top = con.execute("SELECT max(entity_id) + 1 FROM src.linkage_entity").fetchone()[0]
    copies = -(-persons // entities)
    for table, keys in TABLES_COPIED.items():
        if not keys:
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM src.{table}")
            continue
        swap = ", ".join(f"{k} + t.k * {top} AS {k}" if k == "entity_id" else f"{k} || '#' || t.k AS {k}"
                         for k in keys)
        where = f"WHERE s.run_id = {run}" if table in ("linkage_entity", "linkage_object_key") else ""
        con.execute(f"CREATE TABLE {table} AS SELECT s.* REPLACE ({swap}) "
                    f"FROM src.{table} s, range({copies}) t(k) {where}")
    con.execute("DETACH src")
    con.close()
    return copies, copies * entities


def run_scale(source: dict, persons: int) -> None:
    import duckdb

    from peel.dvds.recognition import scan

    target = OUT / "scaled.duckdb"
    (copies, entities), took = timed(lambda: scale_up(source["home"] / "warehouse.duckdb", target, persons))
    print(f"\nscale: seed {source['seed']}'s warehouse copied {copies} times: {entities:,} persons "
          f"({took:.0f} s to build)")
    con = duckdb.connect(str(target), read_only=True)
    run = con.execute("SELECT max(run_id) FROM linkage_run").fetchone()[0]
    _, baseline = timed(lambda: con.execute(BASELINE, [run]).fetchall())
    candidates, took = timed(lambda: scan(con))
    con.close()
    print(f"  full scan: {took:.1f} s for {entities:,} persons, {len(candidates):,} candidates "
          f"({took / baseline:.1f} x the baseline read, {baseline:.1f} s; {load()}); target under 60 s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=float, default=0.1)
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7, 2026])
    parser.add_argument("--persons", type=int, default=1_000_000, help="0: skip the scan at scale")
    args, _ = parser.parse_known_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    from peel.dvds.recognition import read_rules

    print(f"rules: threshold {read_rules()['threshold']}, evidence "
          + ", ".join(f"{k} {v['weight']}" for k, v in read_rules()["evidence"].items()) + f"; {load()}")
    rows = [run_seed(seed, args.size) for seed in args.seeds]
    print(f"\nover {len(rows)} seeds ({', '.join(str(r['seed']) for r in rows)}):")
    for name in ("recall", "precision", "scan_s"):
        print("  " + spread(rows, name))
    if args.persons:
        run_scale(rows[-1], args.persons)
    return 0


if __name__ == "__main__":
    sys.exit(main())
