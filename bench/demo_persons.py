"""Benchmark: the demo persons at linkage scale, generated and loaded, against baselines.

In one run, into bench/out/demo_persons/:

  generate  peel.demo.persons.generate_person_population(N): population, involvement in
            events, errors at declared rates, four extracts in their own formats, the truth
            (target: 1,000,000 records in about 60 s)
  faker     baseline: Faker (en_GB) row by row, one record at a time (name, date of birth,
            address, postcode, phone, email) written with the csv module, with no errors, no
            truth and one format: what a straightforward generator would do. It runs on
            --baseline-records records (it is slow) and is compared by records per second.
  load      peel.demo.persons.load_person_extracts: the four extracts through their mappings
            into a fresh warehouse (normalised person_record, events, vehicles, POLE links)
  read_csv  baseline: DuckDB read_csv of the three CSV extracts and the Parquet file into
            tables as they are (no normalisation): the limit on this machine

Run: .venv/bin/python bench/demo_persons.py [--records N] [--baseline-records M]
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "demo_persons"
sys.path.insert(0, str(ROOT / "src"))

from peel.demo.persons import EXTRACT_FILES, generate_person_population, load_person_extracts
from peel.warehouse import connect
from peel.warehouse.sql import quote_literal


def time_faker_baseline(n: int, path: Path) -> float:
    """Write ``n`` person rows with Faker, one at a time; return the seconds taken."""
    from faker import Faker

    fake = Faker("en_GB")
    Faker.seed(1)
    started = time.perf_counter()
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["forename", "surname", "dob", "street", "town", "postcode", "phone", "email"])
        for _ in range(n):
            out.writerow(
                [
                    fake.first_name(),
                    fake.last_name(),
                    fake.date_of_birth().isoformat(),
                    fake.street_address(),
                    fake.city(),
                    fake.postcode(),
                    fake.phone_number(),
                    fake.email(),
                ]
            )
    return time.perf_counter() - started


def time_read_csv_baseline(extracts: Path) -> float:
    """Read every extract into a DuckDB table as it is; return the seconds taken."""
    db = OUT / "read_csv.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    con.execute("SET enable_progress_bar = false")
    started = time.perf_counter()
    for i, name in enumerate(EXTRACT_FILES.values()):
        reader = "read_parquet" if name.endswith(".parquet") else "read_csv"
        # ignore_errors: the bare read skips the broken rows that peel quarantines.
        options = "" if reader == "read_parquet" else ", all_varchar = true, ignore_errors = true"
        path = quote_literal(extracts / name)
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM {reader}({path}{options})")
    seconds = time.perf_counter() - started
    con.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--baseline-records", type=int, default=50_000)
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)

    started = time.perf_counter()
    summary = generate_person_population(args.records, seed=11, out_dir=OUT)
    generate_s = time.perf_counter() - started

    faker_s = time_faker_baseline(args.baseline_records, OUT / "faker_baseline.csv")

    con = connect(OUT / "warehouse.duckdb")
    started = time.perf_counter()
    loaded = load_person_extracts(con, OUT)
    load_s = time.perf_counter() - started
    con.close()
    read_s = time_read_csv_baseline(OUT / "extracts")

    rows = sum(r["rows_loaded"] for r in loaded.values())
    gen_rate, faker_rate = summary["records"] / generate_s, args.baseline_records / faker_s
    print(f"records generated: {summary['records']:,} ({summary['records_by_source']})")
    print(f"generate (peel):   {generate_s:8.1f} s  {gen_rate:12,.0f} records/s")
    print(
        f"faker row by row:  {faker_s:8.1f} s  {faker_rate:12,.0f} records/s  "
        f"({args.baseline_records:,} records)"
    )
    print(
        f"  peel generates {gen_rate / faker_rate:.1f}x as many records per second, with errors and truth"
    )
    print(
        f"load (peel):       {load_s:8.1f} s  {rows / load_s:12,.0f} rows/s  ({rows:,} rows loaded)"
    )
    print(f"read_csv (duckdb): {read_s:8.1f} s  {rows / read_s:12,.0f} rows/s  (no normalisation)")
    print(f"  peel's normalising load takes {load_s / read_s:.1f}x the bare read")


if __name__ == "__main__":
    main()
