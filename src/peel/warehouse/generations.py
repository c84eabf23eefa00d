"""Serving while loads write: loads publish a new generation of the warehouse, readers keep
the one they opened.

DuckDB lets one process write a file, and no other process read it meanwhile. So a load
(``open_writer``) never writes the file readers have open: it copies the published
generation to a private one, ``warehouse-<n>.duckdb`` beside the warehouse's name, writes
there, and on success publishes it by replacing the name, a symbolic link, in one atomic
step. Readers (``connect(read_only=True)``, ``open_snapshot``) open the generation the name
points at and keep it for as long as they hold it: a consistent snapshot, never a lock
error. A reader that opened an older generation goes on reading it after it has been
replaced; the file's space goes back to the disk when its last reader closes it.

History: a generation is the data as it stood from its publication (its file's modification
time, stamped at publication and never written after) until the next. The newest generation
of every UK calendar day is kept, besides the two newest, so ``find_generation(name, day)``
can reopen the data as it stood at the end of any day a load published one: that is how
``peel pack --as-of`` rebuilds a published pack figure for figure (docs/pack.md).

Writers take turns on a lock file (``warehouse.lock``, holding the writer's process id).
A warehouse that is still one plain file (made before generations, or by ``connect()``) is
generation 0; the first load copies it, and from then on the name is a link.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import threading
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import duckdb

from peel.private import close_at_rest
from peel.settings import get_settings

T = TypeVar("T")

UK_TIME = ZoneInfo("Europe/London")  # the days --as-of names are UK calendar days
# How many times a reader tries again when the generation it found was removed before it
# could open it (two loads published in between).
OPEN_ATTEMPTS = 3


NO_WAREHOUSE = "No warehouse at {}. Load data first: 'peel demo-data' or 'peel ingest police-uk PATH'."


def get_name(path: Path | str | None = None) -> Path:
    """The warehouse's name, as an absolute path: ``path``, or ``PEEL_HOME/warehouse.duckdb``."""
    return Path(path if path is not None else get_settings().warehouse_path).absolute()


def get_current_file(name: Path) -> Path | None:
    """The file the warehouse ``name`` stands for now: the generation its link points at, or
    the plain file; None when there is no warehouse."""
    if name.is_symlink():
        return name.parent / os.readlink(name)
    return name if name.exists() else None


def get_generation(file: Path | str) -> int:
    """The generation number of a warehouse file: n for ``<name>-<n>.duckdb``, 0 for a plain file."""
    found = re.search(r"-(\d+)\.duckdb$", str(file))
    return int(found[1]) if found else 0


def list_generations(name: Path) -> list[Path]:
    """Every generation file of the warehouse ``name``, published or not, oldest first."""
    pattern = re.compile(re.escape(name.stem) + r"-\d+\.duckdb$")
    return sorted((f for f in name.parent.glob(f"{name.stem}-*.duckdb") if pattern.match(f.name)),
                  key=get_generation)


def open_current(name: Path, read_only: bool) -> tuple[Path, duckdb.DuckDBPyConnection]:
    """Open the file ``name`` stands for now, trying again should a load remove it first;
    return the file and the connection."""
    from peel.warehouse.database import open_file

    for attempt in range(OPEN_ATTEMPTS):
        file = get_current_file(name) or name
        try:
            return file, open_file(file, read_only=read_only)
        except duckdb.IOException:
            if attempt + 1 == OPEN_ATTEMPTS or file.exists():
                raise
    raise AssertionError("unreachable")


@contextlib.contextmanager
def open_writer(path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Write a new generation of the warehouse (default ``PEEL_HOME/warehouse.duckdb``) and
    publish it when the block ends without an error; on an error it is thrown away, and
    readers never saw it.

    Raises ``WarehouseBusy`` when another load is writing (loads take turns) or another
    process holds the published file open to write.
    """
    from peel.warehouse.database import connect, migrate, open_file
    from peel.warehouse.lookups import create_lookup_indexes

    name = get_name(path)
    close_at_rest()  # every generation owner-only (or the set group): they hold person records
    name.parent.mkdir(parents=True, exist_ok=True)
    with _take_writer_lock(name):
        if get_current_file(name) is None:  # the first load: an empty warehouse is there from now on
            connect(name).close()
        # Open for reading while copying and writing: refuses (busy) when a process writes the
        # published file in place, and keeps one from starting until this generation is out.
        current, guard = open_current(name, read_only=True)
        try:
            existing = list_generations(name)
            new = name.with_name(f"{name.stem}-{get_generation(existing[-1]) + 1 if existing else 1}.duckdb")
            shutil.copyfile(current, new)
            if Path(f"{current}.wal").exists():  # a write in place that did not finish cleanly
                shutil.copyfile(f"{current}.wal", f"{new}.wal")
            con = open_file(new, read_only=False)
            try:
                migrate(con)
                yield con
                create_lookup_indexes(con)  # after the load's rows: cheaper than row by row
            except BaseException:
                con.close()
                _remove(new)
                raise
            con.close()  # writes everything into the file: a generation is one file
            _publish(name, new)
        finally:
            guard.close()
        _remove_old_generations(name, keep={new, current})


@contextlib.contextmanager
def _take_writer_lock(name: Path) -> Iterator[None]:
    from peel.warehouse.database import WarehouseBusy

    lock_path = name.with_name(f"{name.stem}.lock")
    with open(lock_path, "a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            pid = lock.read().strip()
            raise WarehouseBusy(
                f"Another load is writing the warehouse {name}{f' (PID {pid})' if pid else ''}: peel "
                "writes one load at a time. Let it finish, then try again; the web app and other "
                "readers go on reading the data as it was."
            ) from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        try:
            yield
        finally:
            lock.truncate(0)
            fcntl.flock(lock, fcntl.LOCK_UN)


def _publish(name: Path, new: Path) -> None:
    """Point ``name`` at ``new`` in one step (rename over it), stamping the publication time."""
    os.utime(new)
    link = name.with_name(f".{name.name}.{os.getpid()}.link")
    link.unlink(missing_ok=True)
    os.symlink(new.name, link)  # relative: the folder can be moved or mounted elsewhere
    os.replace(link, name)
    folder = os.open(name.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _remove_old_generations(name: Path, keep: set[Path | None]) -> None:
    """Remove generations older than the two newest (a reader that found the previous one a
    moment before keeps finding it), except the newest of each UK day, kept as the data as
    it stood that day. One a reader still has open stays readable to it."""
    last_of_day = {}
    for file in list_generations(name):  # oldest first: a later one of the same day replaces it
        last_of_day[get_published_at(file).astimezone(UK_TIME).date()] = file
    for file in list_generations(name):
        if file not in keep and file not in last_of_day.values():
            _remove(file)


def get_published_at(file: Path) -> datetime:
    """When a generation was published (its modification time, stamped by ``_publish``)."""
    return datetime.fromtimestamp(file.stat().st_mtime, UTC)


def find_generation(name: Path | str | None, day: date) -> Path:
    """The generation of the warehouse ``name`` that was current at the end of ``day`` (UK
    time): the newest published by then. Raises ValueError when none was kept."""
    name = get_name(name)
    end = datetime.combine(day + timedelta(days=1), time(), UK_TIME)
    current = get_current_file(name)
    files = list_generations(name) or ([current] if current else [])
    found = [f for f in files if get_published_at(f) < end]
    if not found:
        first = min((get_published_at(f) for f in files), default=None)
        raise ValueError(
            f"The warehouse {name} holds no data as it stood on {day:%d %B %Y}: "
            + (f"the oldest generation kept was published on {first.astimezone(UK_TIME):%d %B %Y %H:%M}."
               if first else "nothing has been loaded yet."))
    return max(found, key=get_published_at)


def _remove(file: Path) -> None:
    for path in (file, Path(f"{file}.wal")):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            path.unlink()


@dataclass
class _Reader:
    """One process-wide read-only connection to a generation, and how many requests use it."""

    name: Path
    file: Path
    con: duckdb.DuckDBPyConnection
    users: int = 0
    kept: dict[str, dict[Hashable, object]] = field(default_factory=dict)  # remember()'s: kind -> key -> value
    computing: dict[tuple, threading.Lock] = field(default_factory=dict)  # (kind, key) being worked out
    lock: threading.Lock = field(default_factory=threading.Lock)  # guards kept and computing


_readers: dict[Path, _Reader] = {}
_readers_lock = threading.Lock()
_reader_of_cursor: dict[int, _Reader] = {}  # id of a cursor open_snapshot gave out -> its reader


@contextlib.contextmanager
def open_snapshot(path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read the newest published generation of the warehouse, the same one throughout the block.

    For a server's requests: opening a DuckDB file takes tens of milliseconds, so one
    connection per generation is kept for the process, and each block gets its own cursor on
    it. Once a newer generation is published, new blocks read that one, and the older
    connection closes when its last block ends. Raises ``FileNotFoundError`` when there is no
    warehouse yet, and ``WarehouseBusy`` when a process writes the published file in place.
    """
    from peel.warehouse.database import check_schema

    name = get_name(path)
    with _readers_lock:
        file = get_current_file(name)
        if file is None:
            raise FileNotFoundError(NO_WAREHOUSE.format(name))
        reader = _readers.get(file)
        if reader is None:
            file, con = open_current(name, read_only=True)
            try:
                check_schema(con)
            except BaseException:
                con.close()
                raise
            reader = _readers[file] = _Reader(name, file, con)
        reader.users += 1
    cursor = reader.con.cursor()
    _reader_of_cursor[id(cursor)] = reader
    try:
        yield cursor
    finally:
        del _reader_of_cursor[id(cursor)]
        cursor.close()
        with _readers_lock:
            reader.users -= 1
            _close_replaced_readers()


# How many values of one kind remember() keeps per generation, the oldest dropped first: a
# kind keyed by the reader's choices (crime type, area, month...) has too many to keep all.
KEEP_PER_KIND = 64


def remember(con: duckdb.DuckDBPyConnection, kind: str, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, worked out once per published generation for ``kind`` and ``key`` when
    ``con`` is a connection from ``open_snapshot``; for any other connection, every time.

    The web app's one cache: a published generation never changes, so what is computed from
    it (aggregates, the snapshot's description, a rendered chart) holds until a load publishes
    the next, whose connection starts empty. ``key`` must name everything the value depends on
    besides the data. Never for who may see what: that is decided per request, per user.
    Requests asking for the same value at once wait for one to work it out.
    """
    reader = _reader_of_cursor.get(id(con))
    if reader is None:
        return compute()
    with reader.lock:
        kept = reader.kept.setdefault(kind, {})
        if key in kept:
            return kept[key]
        computing = reader.computing.setdefault((kind, key), threading.Lock())
    with computing:
        with reader.lock:
            if key in kept:  # worked out by the request this one waited for
                return kept[key]
        try:
            value = compute()
        except BaseException:
            with reader.lock:
                reader.computing.pop((kind, key), None)
            raise
        with reader.lock:
            if len(kept) >= KEEP_PER_KIND:
                kept.pop(next(iter(kept)))
            kept[key] = value
            reader.computing.pop((kind, key), None)
    return value


def _close_replaced_readers() -> None:
    for file, reader in list(_readers.items()):
        if reader.users == 0 and get_current_file(reader.name) != file:
            reader.con.close()
            del _readers[file]


def close_idle_snapshots(file: Path) -> None:
    """Close the kept connection to ``file`` if no block reads it now: this process is about
    to write the file in place, which DuckDB refuses while the process has it open read-only."""
    with _readers_lock:
        reader = _readers.get(file)
        if reader is not None and reader.users == 0:
            reader.con.close()
            del _readers[file]


def close_snapshots() -> None:
    """Close every connection ``open_snapshot`` keeps (a server shutting down)."""
    with _readers_lock:
        for reader in _readers.values():
            reader.con.close()
        _readers.clear()
