"""Benchmark: deduplicate 1,000,000 demo-force person records with peel (training included),
and, in the same run, compare peel with the recordlinkage toolkit on 50,000 of the same
records; then, on labelled data sets of other shapes (FEBRL, fake_1000, and the persons
generator's historic, missing-dates and names-only sets), compare peel with a plain Splink
model written from Splink's tutorial. Prints wall times, peak memory, F1s and ratios;
measures, never asserts.

    .venv/bin/python bench/linkage.py [--records 1000000] [--baseline-records 50000]
                                      [--shapes-only] [--shape-persons 3000]

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


def splink_tutorial_baseline(frame: pd.DataFrame, roles: dict[str, str],
                             dob_format: str = "%Y-%m-%d") -> pd.Series:
    """A plain Splink model as Splink's deduplication tutorial writes it (fake_1000): name,
    date-of-birth and exact comparisons (term-frequency adjusted), blocking on first name and
    city (the first exact field; else date of birth) or on surname, training on first name
    and surname and on date of birth, predictions at 0.2 and clusters at 0.5. ``roles`` maps
    first_name, surname, dob and any exact fields to ``frame``'s columns (the first exact one
    the place); returns each record's cluster (index: unique_id)."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    df = pd.DataFrame({"unique_id": frame["unique_id"].astype(str)})
    for role, column in roles.items():
        df[role] = frame[column].astype("string").str.strip().str.lower().replace("", pd.NA)
    comparisons = [cl.NameComparison(n) for n in ("first_name", "surname") if n in df]
    if "dob" in df:
        comparisons.append(cl.DateOfBirthComparison("dob", input_is_string=True,
                                                    datetime_format=dob_format))
    exact = [r for r in roles if r not in ("first_name", "surname", "dob")]
    comparisons += [cl.ExactMatch(c).configure(term_frequency_adjustments=True) for c in exact]
    place = exact[0] if exact else "dob"
    blocking = [block_on("first_name", place), block_on("surname")]
    settings = SettingsCreator(link_type="dedupe_only", comparisons=comparisons,
                               blocking_rules_to_generate_predictions=blocking)
    linker = Linker(DuckDBAPI().register(df), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for rule in (block_on("first_name", "surname"), block_on("dob" if "dob" in df else place)):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True)
    pairs = linker.inference.predict(threshold_match_probability=0.2)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, 0.5)
    out = clusters.as_pandas_dataframe()
    return out.set_index(out["unique_id"].astype(str))["cluster_id"]


def shape_sets(folder: Path, persons: int) -> list[dict]:
    """The labelled data sets: files, mapping, truth (by id) and the baseline's roles."""
    from peel.demo.persons.labelled import write_labelled_set
    from peel.linkage.evaluate import truth_from_id_pattern

    tests = ROOT / "tests" / "data" / "linkage"
    mappings = ROOT / "src" / "peel" / "linkage" / "mappings"
    febrl_roles = {"first_name": "given_name", "surname": "surname", "dob": "date_of_birth",
                   "suburb": "suburb", "postcode": "postcode", "soc_sec_id": "soc_sec_id"}
    sets = []
    for name, files in (("FEBRL 3", ["dataset3.csv"]),
                        ("FEBRL 4a+4b", ["dataset4a.csv", "dataset4b.csv"])):
        paths = [tests / "febrl" / f for f in files]
        frame = pd.concat([pd.read_csv(p, dtype=str, skipinitialspace=True) for p in paths])
        frame.columns = [c.strip() for c in frame.columns]
        frame["unique_id"] = frame["rec_id"].str.strip()
        truth = truth_from_id_pattern(frame["unique_id"], r"rec-(\d+)")
        sets.append({"name": name, "files": paths, "mapping": mappings / "febrl.yaml",
                     "frame": frame, "truth": pd.Series(truth.values, index=frame.unique_id),
                     "roles": febrl_roles, "dob_format": "%Y%m%d"})
    fake = pd.read_csv(tests / "fake_1000.csv", dtype=str)
    sets.append({"name": "fake_1000", "files": [tests / "fake_1000.csv"],
                 "mapping": mappings / "fake_1000.yaml", "frame": fake,
                 "truth": fake.set_index("unique_id")["cluster"],
                 "roles": {"first_name": "first_name", "surname": "surname", "dob": "dob",
                           "city": "city", "email": "email"}})
    for shape in ("historic", "missing_dates", "names_only"):
        data, mapping = write_labelled_set(shape, persons, SEED, folder)
        frame = pd.read_csv(data, dtype=str)
        frame["unique_id"] = frame["id"]
        if "full_name" in frame:  # a plain user's split: 'SURNAME, First' or 'First ... Last'
            name = frame["full_name"].fillna("")
            comma = name.str.contains(",")
            frame["forename"] = name.str.split(",").str[1].where(comma, name.str.split().str[0])
            frame["surname"] = name.str.split(",").str[0].where(comma, name.str.split().str[-1])
        roles = {"first_name": "forename", "surname": "surname", "dob": "date_of_birth",
                 "town": "town", "birthplace": "birthplace", "occupation": "occupation"}
        sets.append({"name": f"generated {shape}", "files": [data], "mapping": mapping,
                     "frame": frame, "truth": frame.set_index("unique_id")["true_person"],
                     "roles": {k: v for k, v in roles.items()
                               if v in frame and frame[v].notna().any()}})
    return sets


def compare_on_shapes(folder: Path, persons: int) -> None:
    """peel link file against the Splink tutorial baseline on every labelled data set."""
    from peel.linkage.evaluate import evaluate_clusters
    from peel.linkage.files import link_files

    for s in shape_sets(folder, persons):
        t = time.perf_counter()
        table, result = link_files(s["files"], s["mapping"], truth=s["truth"])
        seconds = time.perf_counter() - t
        peel = evaluate_clusters(table.set_index("id")["entity_id"], s["truth"])
        t = time.perf_counter()
        base = evaluate_clusters(
            splink_tutorial_baseline(s["frame"], s["roles"], s.get("dob_format", "%Y-%m-%d")),
            s["truth"])
        base_seconds = time.perf_counter() - t
        ceiling = sum(r.recall_added or 0 for r in result.blocking)
        print(f"   {s['name']:26s} {peel.records:>7,} records  peel F1 {peel.f1:.4f} "
              f"(P {peel.precision:.4f}, R {peel.recall:.4f}, {seconds:.1f}s; blocking finds "
              f"{ceiling:.1%} of true pairs)  Splink tutorial F1 {base.f1:.4f} "
              f"(P {base.precision:.4f}, R {base.recall:.4f}, {base_seconds:.1f}s)  "
              f"difference {peel.f1 - base.f1:+.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--baseline-records", type=int, default=50_000)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--shapes-only", action="store_true",
                        help="Only compare with the Splink tutorial on the labelled data sets.")
    parser.add_argument("--shape-persons", type=int, default=3000,
                        help="Persons in each generated data set.")
    args = parser.parse_args()
    if args.data_dir is None:
        from peel.settings import get_settings

        args.data_dir = get_settings().home / "bench"

    print("Labelled data sets of other shapes: peel against a plain Splink model "
          "(Splink's tutorial)")
    compare_on_shapes(args.data_dir / "shapes", args.shape_persons)
    if args.shapes_only:
        return

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
