"""Benchmark: Clare's Law recognition on the demo force, against its planted truth.

In one run, into a fresh PEEL_HOME under bench/out/dvds/: the demo force (--size, default the
test-sized 0.1), linkage over its persons, then

  scan      peel.dvds.recognition.scan: the declared rules (peel/dvds/rules.yaml) over the
            latest linkage run, timed
  baseline  one plain read of what the scan reads (every linked record with its event and
            address links), timed: the scan's cost is given as a ratio to it

and prints recall and precision against the planted truth (target: recall >= 0.9 at
precision >= 0.8), the controls raised, and every miss with its reason.

Run: .venv/bin/python bench/dvds.py [--size 0.1]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

OUT = Path(__file__).parent / "out" / "dvds"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=float, default=0.1)
    args, _ = parser.parse_known_args()
    shutil.rmtree(OUT, ignore_errors=True)
    os.environ["PEEL_HOME"] = str(OUT)
    from peel.demo import SMALL_DEMO, generate_demo_force
    from peel.dvds.evaluate import evaluate
    from peel.dvds.recognition import read_rules, scan
    from peel.linkage.warehouse_run import link_warehouse
    from peel.settings import get_settings
    from peel.warehouse import connect

    con = connect()
    generate_demo_force(con, **{**SMALL_DEMO, "size": args.size})
    con.close()
    summary = link_warehouse()
    con = connect(read_only=True)
    started = time.perf_counter()
    con.execute("""SELECT count(*), count(DISTINCT l.to_key) FROM linkage_entity e
                   JOIN person_record r USING (record_key) JOIN pole_link l ON l.from_key = r.record_key
                   WHERE e.run_id = ?""", [summary["run_id"]]).fetchall()
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    candidates = scan(con)
    took = time.perf_counter() - started
    result = evaluate(con, candidates, get_settings().demo_dir / "truth" / "dvds_situations.json")
    print(f"rules: threshold {read_rules()['threshold']}, evidence "
          + ", ".join(f"{k} {v['weight']}" for k, v in read_rules()["evidence"].items()))
    print(f"persons: {summary['records']:,} records -> {summary['entities']:,} entities")
    print(f"scan: {took:.2f} s ({took / baseline:.1f} x the baseline read, {baseline:.2f} s)")
    print(f"situations planted: {result.situations}, found: {result.found}, candidates: {result.candidates}, "
          f"true: {result.true_candidates}")
    print(f"recall {result.recall:.3f}  precision {result.precision:.3f}  (target >= 0.9 at >= 0.8)")
    print(f"controls raised: {result.controls_raised or 'none'}")
    for miss in result.misses:
        print(f"  miss: person {miss['person']} ({', '.join(miss['evidence'])}): {miss['reason']}: {miss['detail']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
