"""Benchmark: deduplicate 1,000,000 demo-force person records with peel (training included),
and, in the same run, compare peel with the recordlinkage toolkit on 50,000 of the same
records. Prints wall times, peak memory, F1s and ratios; measures, never asserts.

    .venv/bin/python bench/linkage.py [--records 1000000] [--baseline-records 50000]

Data is generated once per size into ``PEEL_HOME/bench/`` (or --data-dir) by the demo force's
person generator and loaded into a warehouse there; the linkage runs in a child process so
that its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SEED = 20260312


def prepare_data(n: int, data_dir: Path) -> Path:
    """Generate and load ``n`` demo-force person records once; return the folder."""
    from peel.demo.persons import generate_person_population, load_person_extracts
    from peel.warehouse import connect

    folder = data_dir / f"persons_{n}"
    done = folder / "loaded.ok"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    info = generate_person_population(n, SEED, folder)
    print(f"  generated {info['records']:,} records of {info['persons_with_records']:,} persons "
          f"in {time.perf_counter() - t:.1f}s")
    t = time.perf_counter()
    con = connect(folder / "warehouse.duckdb")
    load_person_extracts(con, folder)
    con.close()
    print(f"  loaded into the warehouse in {time.perf_counter() - t:.1f}s")
    done.write_text("ok")
    return folder


CHILD = textwrap.dedent("""
    import json, resource, sys, time
    from pathlib import Path
    from peel.linkage.warehouse_run import link_warehouse, evaluate_demo
    folder = Path(sys.argv[1])
    t = time.perf_counter()
    summary = link_warehouse(warehouse=folder / "warehouse.duckdb")
    seconds = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ev = evaluate_demo(folder / "truth" / "person_records.parquet", folder / "warehouse.duckdb")
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "summary": summary,
                      "evaluation": ev.as_dict()}, default=float))
""")


def run_peel_on_warehouse(folder: Path) -> dict:
    """`peel link` on a fresh copy of the folder's warehouse (so every run is a first run),
    in a child process: time, peak memory, F1."""
    run_dir = folder / "run"
    run_dir.mkdir(exist_ok=True)
    shutil.copy(folder / "warehouse.duckdb", run_dir / "warehouse.duckdb")
    shutil.copytree(folder / "truth", run_dir / "truth", dirs_exist_ok=True)
    out = subprocess.run([sys.executable, "-c", CHILD, str(run_dir)], capture_output=True,
                         text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def sample_records(folder: Path, n: int) -> tuple[pd.DataFrame, pd.Series]:
    """A random sample of ``n`` of the folder's person records (raw fields) and their truth."""
    import duckdb

    from peel.linkage.warehouse_run import read_person_records

    wcon = duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True)
    work = duckdb.connect()
    read_person_records(wcon, work)
    frame = work.execute(f"SELECT * FROM peel_raw USING SAMPLE {n} ROWS (reservoir, 7)").df()
    truth = pd.read_parquet(folder / "truth" / "person_records.parquet",
                            columns=["record_key", "true_person_id"]).set_index("record_key")
    return frame, truth["true_person_id"].reindex(frame["unique_id"])


def run_peel_on_sample(frame: pd.DataFrame, truth: pd.Series, tmp: Path) -> dict:
    from peel.linkage.evaluate import evaluate_clusters
    from peel.linkage.files import link_files

    csv = tmp / "sample.csv"
    frame.to_csv(csv, index=False)
    mapping = tmp / "sample.yaml"
    # full_name_raw was split into forename and surname when loaded: a mapping names one or
    # the other (the split again gives the same names).
    fields = [c for c in frame.columns if c not in ("unique_id", "full_name")]
    mapping.write_text(
        "record_id: unique_id\nperson:\n" + "".join(f"  {c}: {c}\n" for c in fields))
    t = time.perf_counter()
    table, _ = link_files([csv], mapping)
    seconds = time.perf_counter() - t
    ev = evaluate_clusters(table.set_index("id")["entity_id"], truth.set_axis(frame["unique_id"]))
    return {"seconds": seconds, "evaluation": ev.as_dict()}


def run_recordlinkage(frame: pd.DataFrame, truth: pd.Series) -> dict:
    """The recordlinkage toolkit's unsupervised path: blocking, comparisons, ECM classifier,
    then connected components so that F1 is measured over entities as for peel."""
    import recordlinkage
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from peel.linkage.evaluate import evaluate_clusters

    t = time.perf_counter()
    df = frame.set_index("unique_id").copy()
    for col in ("forename", "surname", "town", "street"):
        df[col] = df[col].str.lower().str.strip()
    df["date_of_birth"] = df["date_of_birth"].astype(str).replace({"NaT": None, "None": None})
    df["postcode"] = df["postcode"].str.upper().str.replace(" ", "", regex=False)
    indexer = recordlinkage.Index()
    indexer.block(["surname", "forename"])
    indexer.block(["date_of_birth"])
    indexer.block(["postcode", "house_number"])
    pairs = indexer.index(df)
    compare = recordlinkage.Compare()
    compare.string("forename", "forename", method="jarowinkler", threshold=0.85, label="forename")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="dob")
    compare.exact("postcode", "postcode", label="postcode")
    compare.exact("house_number", "house_number", label="house_number")
    compare.exact("phone", "phone", label="phone")
    compare.exact("sex", "sex", label="sex")
    features = compare.compute(pairs, df)
    matches = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)
    ids = pd.Index(df.index)
    left = ids.get_indexer(matches.get_level_values(0))
    right = ids.get_indexer(matches.get_level_values(1))
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(len(ids), len(ids)))
    _, labels = connected_components(graph, directed=False)
    seconds = time.perf_counter() - t
    ev = evaluate_clusters(pd.Series(labels, index=ids), truth.set_axis(frame["unique_id"]))
    return {"seconds": seconds, "candidate_pairs": len(pairs), "evaluation": ev.as_dict()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--baseline-records", type=int, default=50_000)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    if args.data_dir is None:
        from peel.settings import get_settings

        args.data_dir = get_settings().home / "bench"

    print(f"Preparing {args.records:,} demo-force person records (once)...")
    folder = prepare_data(args.records, args.data_dir)

    print(f"\n1. peel link on {args.records:,} records (training included)")
    big = run_peel_on_warehouse(folder)
    e = big["evaluation"]
    print(f"   wall time {big['seconds']:.1f}s, peak memory {big['peak_mb'] / 1024:.2f} GB")
    print(f"   {e['records']:,} records -> {e['predicted_entities']:,} entities "
          f"(truth {e['true_entities']:,}); precision {e['precision']:.4f}, "
          f"recall {e['recall']:.4f}, F1 {e['f1']:.4f}")
    print(f"   targets: < 60 s -> {'met' if big['seconds'] < 60 else 'NOT met'}; "
          f"< 4 GB -> {'met' if big['peak_mb'] < 4096 else 'NOT met'}; "
          f"F1 >= 0.97 -> {'met' if e['f1'] >= 0.97 else 'NOT met'}")

    print(f"\n2. Baseline comparison on the same {args.baseline_records:,} records")
    frame, truth = sample_records(folder, args.baseline_records)
    tmp = args.data_dir / "baseline"
    tmp.mkdir(parents=True, exist_ok=True)
    peel = run_peel_on_sample(frame, truth, tmp)
    base = run_recordlinkage(frame, truth)
    print(f"   peel:          {peel['seconds']:7.1f}s  F1 {peel['evaluation']['f1']:.4f} "
          f"(P {peel['evaluation']['precision']:.4f}, R {peel['evaluation']['recall']:.4f})")
    print(f"   recordlinkage: {base['seconds']:7.1f}s  F1 {base['evaluation']['f1']:.4f} "
          f"(P {base['evaluation']['precision']:.4f}, R {base['evaluation']['recall']:.4f}; "
          f"{base['candidate_pairs']:,} candidate pairs)")
    print(f"   speed ratio (recordlinkage time / peel time): {base['seconds'] / peel['seconds']:.2f}x;"
          f" F1 difference (peel - baseline): {peel['evaluation']['f1'] - base['evaluation']['f1']:+.4f}")


if __name__ == "__main__":
    main()
