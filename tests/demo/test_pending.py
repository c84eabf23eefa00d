"""peel demo-data changes the warehouse and the demo files together or not at all: a run
killed mid-way leaves the run before whole."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import typer
from typer.testing import CliRunner

from peel.demo.cli import register
from peel.demo.pending import COMPLETE, PENDING, settle
from peel.settings import get_settings
from peel.warehouse import connect, open_writer
from peel.warehouse.generations import get_current_file, get_name

app = typer.Typer()
app.callback()(lambda: None)
register(app)

SMALL = ["--size", "0.02", "--start", "2025-01", "--end", "2025-06", "--as-of", "2025-06-30"]


def describe_demo(home: Path) -> dict:
    """The warehouse's demo rows and the demo files (a killed run's own folder aside), as
    fingerprints."""
    con = connect(read_only=True)
    try:
        tables = {
            table: con.execute(
                f"SELECT count(*), sum(hash(source_record_id)), max(batch_id) FROM {table}"
            ).fetchone()
            for table in ("crime", "outcome", "arrest", "person_record", "pole_link")
        }
    finally:
        con.close()
    files = {
        str(p.relative_to(home / "demo")): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((home / "demo").rglob("*"))
        if p.is_file() and not p.relative_to(home / "demo").parts[0].startswith(PENDING)
    }
    return {"tables": tables, "files": files}


def test_demo_data_killed_mid_way_leaves_the_run_before_whole(peel_home):
    first = CliRunner().invoke(app, ["demo-data", *SMALL, "--seed", "1"])
    assert first.exit_code == 0, first.output
    before = describe_demo(peel_home)
    assert before["tables"]["person_record"][0] > 0 and "truth/effects.json" in before["files"]

    # The second run is killed once its crimes are loaded and its truth written, before its
    # persons: the moment that left new crimes beside the old seed's person records.
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "peel"), "demo-data", *SMALL, "--seed", "2"],
        env={**os.environ, "PEEL_HOME": str(peel_home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not list((peel_home / "demo").glob(f"{PENDING}*/truth/effects.json")):
        assert process.poll() is None and time.monotonic() < deadline, "the run never got there"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert describe_demo(peel_home) == before
    settle(get_settings().demo_dir)  # what the next run does first
    assert list((peel_home / "demo").glob(f"{PENDING}*")) == []
    assert describe_demo(peel_home) == before


def test_settle_moves_in_the_files_of_the_published_generation(peel_home):
    demo = get_settings().demo_dir
    (demo / "truth").mkdir(parents=True)
    (demo / "truth" / "effects.json").write_text("old", encoding="utf-8")
    (demo / "accounts.txt").write_text("kept", encoding="utf-8")
    with open_writer():
        pass
    # killed after publishing, before moving its files in
    folder = demo / f"{PENDING}{get_current_file(get_name()).name}"
    (folder / "truth").mkdir(parents=True)
    (folder / "truth" / "effects.json").write_text("new", encoding="utf-8")
    (folder / COMPLETE).touch()
    settle(demo)
    assert (demo / "truth" / "effects.json").read_text(encoding="utf-8") == "new"
    assert (demo / "accounts.txt").read_text(encoding="utf-8") == "kept"
    assert not folder.exists()


def test_settle_throws_away_the_files_of_a_generation_never_published(peel_home):
    demo = get_settings().demo_dir
    (demo / "truth").mkdir(parents=True)
    (demo / "truth" / "effects.json").write_text("old", encoding="utf-8")
    with open_writer():
        pass
    for name, complete in (
        ("warehouse-9.duckdb", True),
        (get_current_file(get_name()).name, False),
    ):
        folder = demo / f"{PENDING}{name}" / "truth"
        folder.mkdir(parents=True)
        (folder / "effects.json").write_text("new", encoding="utf-8")
        if complete:
            (folder.parent / COMPLETE).touch()
    settle(demo)
    assert (demo / "truth" / "effects.json").read_text(encoding="utf-8") == "old"
    assert list(demo.glob(f"{PENDING}*")) == []
