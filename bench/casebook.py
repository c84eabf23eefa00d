"""Benchmark: what the casebook's safeguards cost per write, and how fast the audit log verifies.

On SQLite (a file in bench/out/) and, when PEEL_TEST_POSTGRES_URL is set (scripts/test.sh sets
it), on PostgreSQL, in the same run:

  peel      open_case: role check, purpose, the case row and a keyed (HMAC) chained audit
            entry (head row locked and sealed), one transaction per case, as workflows use it
  baseline  the same case row inserted with plain SQLAlchemy, one transaction per case,
            no access check and no audit entry
  unkeyed   peel open_case with its audit entries chained with plain SHA-256 and the head
            unsealed, in rounds alternating with keyed ones (so both meet the same load):
            what the key adds to a write (issue 9: under 20% more). Run last, since the
            chain it leaves does not verify.
  verify    peel audit verification of the whole chain, against hashing the same entries in
            memory (the floor: HMAC-SHA-256 alone, no database read)

Run: .venv/bin/python bench/casebook.py [--cases N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text

from peel.casebook import audit, audit_key, cases, db, users
from peel.casebook.models import AuditEntry, Case

OUT = Path(__file__).resolve().parent / "out" / "casebook"
DETAILS = {"applicant": "bench", "address": "bench", "notes": "x" * 200}
PURPOSE = "benchmark of casebook writes"


def prepare(url: str) -> int:
    with db.transaction(url) as s:
        users.add_user(s, "admin", "administrator", acting=None, identity_provider="https://sso.bench",
                       external_subject="admin")
        users.add_user(s, "officer", "licensing_officer", acting="admin", identity_provider="https://sso.bench",
                       external_subject="officer")
        return s.execute(text("SELECT id FROM casebook_user WHERE username = 'officer'")).scalar_one()


def time_peel(url: str, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        with db.transaction(url) as s:
            cases.open_case(s, "officer", domain="firearms", kind="renewal", details=DETAILS, purpose=PURPOSE)
    return time.perf_counter() - started


def time_baseline(url: str, n: int, user_id: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        with db.transaction(url) as s:
            s.add(Case(domain="firearms", kind="renewal", status="open", details=dict(DETAILS),
                       opened_by_id=user_id, review_date=date(2032, 1, 1)))
    return time.perf_counter() - started


def time_unkeyed(url: str, n: int) -> float:
    """``time_peel`` with the chain's HMAC replaced by plain SHA-256 and the head's seal left
    out: the same write without the key's work."""
    keyed_hash, keyed_seal = audit.compute_hash, audit.compute_seal
    audit.compute_hash = lambda entry, _key: keyed_hash(entry, None)
    audit.compute_seal = lambda *_args: ""
    try:
        return time_peel(url, n)
    finally:
        audit.compute_hash, audit.compute_seal = keyed_hash, keyed_seal


def time_key_cost(url: str, n: int, rounds: int = 10) -> tuple[float, float]:
    """Seconds for ``n`` keyed and ``n`` unkeyed writes, alternating in ``rounds``."""
    keyed = unkeyed = 0.0
    for _ in range(rounds):
        keyed += time_peel(url, n // rounds)
        unkeyed += time_unkeyed(url, n // rounds)
    return keyed, unkeyed


def time_verify(url: str) -> tuple[float, float, int]:
    started = time.perf_counter()
    with db.transaction(url, snapshot=True) as s:
        result = audit.verify_chain(s)
    peel_seconds = time.perf_counter() - started
    assert result.intact, result.reason
    with db.transaction(url) as s:
        entries = s.query(AuditEntry).order_by(AuditEntry.seq).all()
    key = audit_key.load_key(url)
    started = time.perf_counter()
    for entry in entries:
        audit.compute_hash(entry, key)
    return peel_seconds, time.perf_counter() - started, result.entries


def run(label: str, url: str, n: int) -> None:
    # Each casebook its own PEEL_HOME: its own audit key and anchor file, the anchors inside
    # OUT (by default they sit beside the casebook's folder, and an earlier run's would disagree).
    os.environ["PEEL_HOME"] = str(OUT / label.split()[0].lower())
    os.environ["PEEL_AUDIT_ANCHOR_FILE"] = str(OUT / f"{label.split()[0].lower()}.audit-anchors")
    user_id = prepare(url)
    time_peel(url, 20)  # warm up connections and caches
    time_baseline(url, 20, user_id)
    peel_s = time_peel(url, n)
    base_s = time_baseline(url, n, user_id)
    verify_s, floor_s, entries = time_verify(url)
    keyed_s, unkeyed_s = time_key_cost(url, n)
    print(f"{label}: {n} cases, one transaction each")
    print(f"  peel open_case (access + audit chain): {peel_s:7.2f} s  {n / peel_s:8.0f} cases/s")
    print(f"  baseline plain insert:                 {base_s:7.2f} s  {n / base_s:8.0f} cases/s")
    print(f"  ratio peel / baseline:                 {peel_s / base_s:7.2f}x")
    print(f"  peel, chain keyed (alternating):       {keyed_s:7.2f} s  {n / keyed_s:8.0f} cases/s")
    print(f"  peel, chain unkeyed (plain SHA-256):   {unkeyed_s:7.2f} s  {n / unkeyed_s:8.0f} cases/s")
    print(f"  ratio keyed / unkeyed chain:           {keyed_s / unkeyed_s:7.2f}x  (issue 9: under 1.20x)")
    print(f"  verify {entries} entries:              {verify_s:7.2f} s  {entries / verify_s:8.0f} entries/s")
    print(f"  floor, HMAC in memory only:         {floor_s:7.2f} s  ratio {verify_s / floor_s:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    args = parser.parse_args()

    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    run("SQLite (WAL)", f"sqlite:///{OUT / 'casebook.sqlite'}", args.cases)
    db.dispose_engines()

    base = os.environ.get("PEEL_TEST_POSTGRES_URL")
    if not base:
        print("PostgreSQL: skipped (PEEL_TEST_POSTGRES_URL not set; run through scripts/test.sh's set-up)")
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        run("PostgreSQL", f"{base}?options=-csearch_path%3D{schema}", args.cases)
    finally:
        db.dispose_engines()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
