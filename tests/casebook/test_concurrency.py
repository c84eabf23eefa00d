"""Two OS processes writing cases and audit entries at once lose nothing and keep one chain."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from peel.casebook import access, db
from peel.casebook.models import AuditEntry

from .conftest import add_staff, count_rows

WORKER = Path(__file__).with_name("concurrency_worker.py")
CASES_EACH = 40


def test_two_processes_writing_at_once_keep_every_case_and_an_intact_chain(staff, casebook_url, tmp_path):
    add_staff(casebook_url, "licensing.two", "licensing_officer")
    entries_before = count_rows(casebook_url, "audit_entry")
    start = tmp_path / "start"
    names = ("licensing.officer", "licensing.two")
    workers = [
        subprocess.Popen([sys.executable, str(WORKER), casebook_url, name, str(CASES_EACH),
                          str(tmp_path / f"ready-{name}"), str(start)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in names
    ]
    wait_for(*(tmp_path / f"ready-{name}" for name in names))
    start.touch()
    spans = []
    for worker in workers:
        stdout, stderr = worker.communicate(timeout=120)
        assert worker.returncode == 0, stderr
        spans.append([float(t) for t in stdout.split()])
    # The two really ran at once: each began before the other finished.
    (began_a, ended_a), (began_b, ended_b) = spans
    assert began_a < ended_b and began_b < ended_a

    assert count_rows(casebook_url, "case_record") == 2 * CASES_EACH
    assert count_rows(casebook_url, "audit_entry") == entries_before + 4 * CASES_EACH
    with db.transaction(casebook_url, snapshot=True) as s:
        assert access.verify_audit_log(s, "auditor").intact
        actors = [a for (a,) in s.query(AuditEntry.actor).filter(AuditEntry.seq > entries_before)]
    assert sorted(set(actors)) == sorted(names)


def wait_for(*paths: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not all(p.exists() for p in paths):
        assert time.monotonic() < deadline, "the worker processes did not start"
        time.sleep(0.01)


def test_two_processes_opening_an_empty_casebook_at_once_migrate_it_once(casebook_url, tmp_path):
    start = tmp_path / "start"
    script = (
        "import sys, time, pathlib\n"
        "start = pathlib.Path(sys.argv[2])\n"
        "while not start.exists(): time.sleep(0.002)\n"
        "from peel.casebook import db\n"
        "db.get_engine(sys.argv[1])\n"
    )
    workers = [subprocess.Popen([sys.executable, "-c", script, casebook_url, str(start)],
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    start.touch()
    for worker in workers:
        _, stderr = worker.communicate(timeout=120)
        assert worker.returncode == 0, stderr
    assert count_rows(casebook_url, "alembic_version") == 1
    assert count_rows(casebook_url, "audit_head") == 1
