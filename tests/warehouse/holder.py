"""Another process holding the warehouse open, as a running 'peel' command or a notebook would."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

HOLD = (
    "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
    "print('holding', flush=True); time.sleep(120)"
)


@contextlib.contextmanager
def warehouse_held_open(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield
    finally:
        holder.kill()
        holder.wait()
