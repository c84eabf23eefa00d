"""Scratch folders for loads: under ``PEEL_HOME/tmp``, never the system's ``/tmp``, so a
load's unpacked files stay with the installation they belong to. A folder is removed when
its load ends, however it ends: an error, Ctrl-C, or SIGTERM (``sigterm_as_exit`` turns it
into a normal exit); one a killed load (SIGKILL) left is removed by the next load.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from peel.settings import get_settings

# A scratch folder's name: <what>-<process id>-<random>; the process id tells whether its
# load is still running.
FOLDER_NAME = re.compile(r"^[a-z-]+-(?P<pid>\d+)-[^/]+$")


@contextlib.contextmanager
def scratch_folder(what: str) -> Iterator[Path]:
    """A new empty folder under ``PEEL_HOME/tmp`` for one load, removed when the block ends;
    folders that loads killed earlier left behind are removed first."""
    root = get_scratch_root()
    root.mkdir(parents=True, exist_ok=True)
    remove_abandoned()
    with tempfile.TemporaryDirectory(prefix=f"{what}-{os.getpid()}-", dir=root) as folder:
        yield Path(folder)


def get_scratch_root() -> Path:
    """The folder the scratch folders are made in: ``PEEL_HOME/tmp``."""
    return get_settings().home / "tmp"


def remove_abandoned() -> list[Path]:
    """Remove the scratch folders whose load is no longer running (killed); return them."""
    root = get_scratch_root()
    removed = []
    for folder in root.iterdir() if root.is_dir() else ():
        found = FOLDER_NAME.match(folder.name)
        if found and folder.is_dir() and not _is_running(int(found["pid"])):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


@contextlib.contextmanager
def sigterm_as_exit() -> Iterator[None]:
    """Within the block, SIGTERM (``kill PID``, a service stopping) exits the way Ctrl-C
    does, through every ``finally``: the load rolls back and its scratch files go. Without
    it Python dies at once and leaves them. Does nothing outside the main thread or when
    the program already handles SIGTERM (a web server)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous is not signal.SIG_DFL:
        yield
        return

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
