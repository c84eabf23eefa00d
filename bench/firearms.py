"""Benchmark: the firearms forecast's back-tested error beside the naive forecast, and the
safeguarding links' recall and precision against the demo force's planted truth.

The demo force (persons, firearms register) is generated in a temporary PEEL_HOME, never the
user's, and its persons linked as ``peel demo-link`` links them. Then:

- **forecast**: from past cut-off dates (every 4 weeks, the last one 8 weeks before the
  extraction date), the renewal decisions of the next 8 weeks are forecast with the method
  ``peel firearms forecast`` uses (statsforecast AutoETS) and with the naive forecast (every
  week like the last one), each compared with what happened: mean absolute percentage error;
  beside them the simpy queue simulation (``peel.firearms.simulation``: the queue outstanding
  at the cut-off, served oldest due first by the officers then deciding, at their rate).
- **safeguarding**: the holders linkage puts beside a concerning record (themselves or
  someone at their address), against the holders the generator planted; the controls
  (victims and callers only) raised; each miss with its reason, and the misses by category.

    .venv/bin/python -m bench firearms              # the small demo force (a tenth of a county)
    .venv/bin/python bench/firearms.py --size 1     # a county force (19 minutes to build and link on a busy 2-core machine)
    .venv/bin/python bench/firearms.py --seed 7     # another demo force (seed 42 unless told)
    .venv/bin/python bench/firearms.py --size 1 --keep DIR   # build in DIR and keep it; a second run
                                                              # with the same DIR measures it again, not rebuilt
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=float, default=0.1)
    parser.add_argument("--cutoffs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", type=Path, help="build the demo force in this folder and keep it; "
                        "when it already holds one (built with the same --size and --seed), measure that one")
    args, _ = parser.parse_known_args()
    with tempfile.TemporaryDirectory() as temporary:
        home = str(args.keep.resolve()) if args.keep else temporary
        os.environ["PEEL_HOME"] = home
        from peel.demo import SMALL_DEMO, generate_demo_force
        from peel.firearms.evaluation import evaluate
        from peel.firearms.forecast import backtest
        from peel.firearms.simulation import decided_within
        from peel.linkage.warehouse_run import link_warehouse
        from peel.warehouse import connect

        started = time.perf_counter()
        built = Path(home) / "demo" / "truth" / "firearms_holders.parquet"
        if args.keep and built.exists():
            print(f"demo force in {home} measured as it was built and linked (size and seed as it was built with)")
        else:
            con = connect()
            generate_demo_force(con, **{**SMALL_DEMO, "size": args.size, "seed": args.seed})
            con.close()
            link_warehouse()
            print(f"demo force (size {args.size}, seed {args.seed}) generated and linked in "
                  f"{time.perf_counter() - started:.0f} s")
        con = connect(read_only=True)
        result = backtest(con, date.fromisoformat(SMALL_DEMO["as_of"]), cutoffs=args.cutoffs)
        print(f"\nforecast back-test: {result.cutoffs} cut-offs, {result.horizon} weeks ahead, renewal decisions")
        print(f"{'cut-off':<12}{'actual':>8}{'AutoETS':>9}{'naive':>7}{'simpy':>7}")
        simulated_errors = []
        for row in result.rows:
            simulated = decided_within(con, row["cutoff"], result.horizon)
            simulated_errors.append(abs(simulated - row["actual"]) / max(row["actual"], 1))
            print(f"{row['cutoff']!s:<12}{row['actual']:>8}{row['model']:>9}{row['naive']:>7}{simulated:>7.0f}")
        print(f"mean absolute percentage error: AutoETS {result.model_error:.1%}, naive {result.naive_error:.1%}, "
              f"simpy queue {sum(simulated_errors) / len(simulated_errors):.1%}")
        print(f"load average while measuring: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        e = evaluate(con, Path(home) / "demo" / "truth" / "firearms_holders.parquet")
        print(f"\nsafeguarding: recall {e.recall:.3f} ({e.true_positives} of {e.planted} planted holders), "
              f"precision {e.precision:.3f} ({e.raised} holders raised), controls raised {e.controls_raised}")
        for category, n in e.by_category.items():
            print(f"  missed {n}: {category}")
        for miss in e.misses:
            print(f"  missed {miss['holder_ref']}: {miss['why']}")
        con.close()


if __name__ == "__main__":
    main()
