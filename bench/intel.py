"""Benchmark: intelligence packs on random subjects of a linked demo force, against its truth.

For --subjects true persons drawn at random (with the --seed), the subject is the linkage
entity holding most of that person's records, as an analyst resolving them would reach it.
For each pack, in one run:

  pack      peel.intel: assemble every statement from the warehouse, verify each again, render
            the HTML (what `peel intel pack` does, without the casebook's two writes)
  baseline  one SQL join reading the entity's records and their events, nothing derived,
            cited or checked: the floor any pack of the same facts costs

and, against the truth (truth/person_records.parquet): the recall of the pack's timeline (the
person's true events it states as facts) and its precision (the share of its stated events that
are really the person's); events shown apart as probabilistic links are counted on their own.

Run on a linked warehouse (`peel demo-data`, `peel demo-accounts`, `peel demo-link`):
  .venv/bin/python bench/intel.py [--subjects 100] [--seed 1] [--home PEEL_HOME]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np

from peel.intel.assemble import assemble
from peel.intel.render import render_pack_html
from peel.intel.statements import verify_statements
from peel.intel.subject import resolve_subject
from peel.warehouse import connect
from peel.warehouse.sql import quote_literal


def pick_subjects(con, truth: Path, n: int, seed: int) -> list[tuple[int, int]]:
    """(true person, the entity holding most of their records) for ``n`` random persons. A tie
    between entities goes to the lowest entity id, so every run with the seed builds the same packs."""
    pairs = con.execute(f"""
        SELECT t.true_person_id, first(e.entity_id ORDER BY e.n DESC, e.entity_id) FROM (
            SELECT t.true_person_id, e.entity_id, count(*) AS n
            FROM read_parquet({quote_literal(truth / 'person_records.parquet')}) t
            JOIN linkage_entity e ON e.record_key = t.record_key
             AND e.run_id = (SELECT max(run_id) FROM linkage_run)
            GROUP BY ALL) e JOIN (SELECT DISTINCT true_person_id FROM
            read_parquet({quote_literal(truth / 'person_records.parquet')})) t USING (true_person_id)
        GROUP BY 1 ORDER BY 1""").fetchall()
    rng = np.random.default_rng(seed)
    return [pairs[i] for i in rng.choice(len(pairs), size=min(n, len(pairs)), replace=False)]


def true_events(con, truth: Path, person: int) -> set[str]:
    return {k for (k,) in con.execute(f"""
        SELECT DISTINCT p.event_key FROM read_parquet({quote_literal(truth / 'person_records.parquet')}) t
        JOIN person_record p USING (record_key) WHERE t.true_person_id = ? AND p.event_key IS NOT NULL""",
        [person]).fetchall()}


def true_records(con, truth: Path, person: int) -> set[str]:
    return {k for (k,) in con.execute(
        f"SELECT record_key FROM read_parquet({quote_literal(truth / 'person_records.parquet')}) "
        "WHERE true_person_id = ?", [person]).fetchall()}


def entity_events(con, entity: int) -> set[str]:
    return {k for (k,) in con.execute(
        "SELECT DISTINCT p.event_key FROM linkage_entity e JOIN person_record p USING (record_key) "
        "WHERE e.run_id = (SELECT max(run_id) FROM linkage_run) AND e.entity_id = ?", [entity]).fetchall()}


def time_pack(con, entity: int) -> tuple[float, list[dict]]:
    started = time.perf_counter()
    subject = resolve_subject(con, f"entity:{entity}")
    statements = [s.to_dict() for s in assemble(con, subject)]
    check = verify_statements(con, statements)
    assert check.passed, check.failures[:3]
    pack = {"pack_id": "bench", "marking": "OFFICIAL-SENSITIVE", "purpose": "benchmark", "author": "bench",
            "built_at": "", "warehouse": {"latest_batch": 0, "loaded_at": ""},
            "subject": {"kind": "person", "ref": subject.ref, "as_given": "", "linkage_run": subject.run_id},
            "statements": statements}
    render_pack_html(pack, "benchmark")
    return time.perf_counter() - started, statements


def time_baseline(con, entity: int) -> float:
    started = time.perf_counter()
    con.execute("""
        SELECT p.*, c.*, a.*, ev.* FROM linkage_entity e JOIN person_record p USING (record_key)
        LEFT JOIN crime c ON c.crime_key = p.event_key LEFT JOIN arrest a ON a.arrest_key = p.event_key
        LEFT JOIN event ev ON ev.event_key = p.event_key
        WHERE e.run_id = (SELECT max(run_id) FROM linkage_run) AND e.entity_id = ?""", [entity]).fetchall()
    return time.perf_counter() - started


def stated_events(statements: list[dict], section: str) -> set[str]:
    return {s["refs"][-1][1] for s in statements if s["section"] == section and s["kind"] == "event"} | \
        {s["refs"][-2][1] for s in statements if s["section"] == section and s["kind"] == "intelligence"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--home", type=Path, default=Path("peel-data"))
    args = parser.parse_args()
    con = connect(args.home / "warehouse.duckdb", read_only=True)
    truth = args.home / "demo" / "truth"
    records = con.execute("SELECT count(*) FROM person_record").fetchone()[0]
    subjects = pick_subjects(con, truth, args.subjects, args.seed)
    times, floors, found, stated, correct, true_total, apart, apart_true = [], [], 0, 0, 0, 0, 0, 0
    possible = possible_true = 0  # records below the match threshold shown apart
    linked = 0  # true events whose record linkage put in the subject's entity: the most a pack can state
    for person, entity in subjects:
        seconds, statements = time_pack(con, entity)
        times.append(seconds)
        floors.append(time_baseline(con, entity))
        truth_events = true_events(con, truth, person)
        facts = stated_events(statements, "timeline")
        probable = stated_events(statements, "probabilistic") - facts
        true_total += len(truth_events)
        linked += len(truth_events & entity_events(con, entity))
        found += len(facts & truth_events)
        stated += len(facts)
        correct += len(facts & truth_events)
        apart += len(probable)
        apart_true += len(probable & truth_events)
        others = {s["refs"][1][1] for s in statements if s["section"] == "possible"}
        possible += len(others)
        possible_true += len(others & true_records(con, truth, person))
        if len(times) % 10 == 0:  # how far a run got, should it be stopped
            print(f"  {len(times)} packs, median so far {statistics.median(times) * 1000:.0f} ms "
                  f"(load average {os.getloadavg()[0]:.1f})", flush=True)
    q = statistics.quantiles(times, n=20)
    print(f"{len(subjects)} subjects on a warehouse of {records:,} person records; "
          f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} (1, 5, 15 min) at the end")
    print(f"pack (assemble + verify + HTML): median {statistics.median(times) * 1000:.0f} ms, "
          f"p95 {q[18] * 1000:.0f} ms, max {max(times) * 1000:.0f} ms (target p95 < 2000 ms)")
    print(f"baseline (one join, nothing cited): median {statistics.median(floors) * 1000:.1f} ms; "
          f"pack / baseline at the median: {statistics.median(times) / statistics.median(floors):.0f}x")
    print(f"timeline recall {found / true_total:.4f} ({found:,} of {true_total:,} true events stated as facts)")
    print(f"timeline precision {correct / stated:.4f} ({correct:,} of {stated:,} stated events are the person's)")
    print(f"shown apart as probabilistic: {apart:,} events, of which {apart_true:,} are the person's")
    print(f"shown apart as possible links below the match threshold: {possible:,} records, of which "
          f"{possible_true:,} are the person's")
    print(f"record linkage put {linked:,} of the {true_total:,} true events in the subjects' entities; the "
          f"packs state {(found + apart_true) / linked:.4f} of those (as facts or apart)")
    con.close()


if __name__ == "__main__":
    main()
