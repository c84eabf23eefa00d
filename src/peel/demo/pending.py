"""The demo force's files change with the warehouse they describe, all at once.

``peel demo-data`` writes the warehouse as a new generation, published in one step when the
run ends (``peel.warehouse.generations``). Its files (the ground truth of the planted
effects, the person extracts and their truth, under ``PEEL_HOME/demo``) are written apart,
in ``demo/.pending-<generation>/``, and moved into place only once that generation is
published. So a run stopped at any point before leaves the warehouse and the files of the
run before, together. A run killed in the moment between the two steps (published, files
not yet moved) is finished by the next run, which moves them in; files whose generation was
never published are thrown away.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

from peel.warehouse.generations import get_current_file, get_name

PENDING = ".pending-"
COMPLETE = "complete"  # written once every file is there and the warehouse is written


@contextlib.contextmanager
def write_apart(con: duckdb.DuckDBPyConnection, demo_dir: Path) -> Iterator[Path]:
    """A folder for the files that go with the generation ``con`` writes (a connection from
    ``open_writer``). Call ``move_in`` once the generation is published; on an error the
    folder is removed."""
    settle(demo_dir)
    generation = Path(
        con.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchone()[0]
    )
    folder = demo_dir / f"{PENDING}{generation.name}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        yield folder
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    (folder / COMPLETE).touch()


def settle(demo_dir: Path, warehouse: Path | None = None) -> None:
    """Finish what an earlier run left: move in the files of the published generation, throw
    away those of a generation never published."""
    published = get_current_file(get_name(warehouse))
    for folder in sorted(demo_dir.glob(f"{PENDING}*")):
        is_published = published is not None and folder.name == f"{PENDING}{published.name}"
        if is_published and (folder / COMPLETE).exists():
            move_in(folder, demo_dir)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def move_in(folder: Path, demo_dir: Path) -> None:
    """Move every file of ``folder`` to the same place under ``demo_dir``, replacing the one
    there (one rename each), then remove the folder. Safe to run again after a kill."""
    for file in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != COMPLETE):
        target = demo_dir / file.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(file, target)
    shutil.rmtree(folder)
