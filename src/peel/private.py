"""Closed at rest: what peel writes under PEEL_HOME (warehouse generations, the SQLite casebook,
outputs and packs, demo extracts, keys) is readable by its owner only, unless the administrator
names a group that may read it (``PEEL_FILE_GROUP``).

Rather than set the mode of each file after the fact (DuckDB, SQLite and the PDF writer create
their own files, and a file is readable from its creation until a chmod), peel sets the
process's umask before it writes anything: 0700 folders and 0600 files, or 0750 / 0640 with a
group. PEEL_HOME then carries that group and the set-group-ID bit, so every file and folder
created in it belongs to the group too. ``exposed`` finds what is readable more widely, for
``peel status``.
"""

from __future__ import annotations

import grp
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from peel.settings import Settings, get_settings

OWNER_ONLY_UMASK = 0o077  # folders 0700, files 0600
GROUP_READ_UMASK = 0o027  # folders 0750, files 0640: the group reads, never writes


class FileGroupUnknown(ValueError):
    """PEEL_FILE_GROUP names a group this machine does not have."""


def close_at_rest(settings: Settings | None = None) -> None:
    """Make every file and folder this process creates from now on owner-only (or readable by
    the configured group), and give an existing PEEL_HOME that group."""
    settings = settings or get_settings()
    if settings.file_group is None:
        os.umask(OWNER_ONLY_UMASK)
        return
    gid = group_id(settings.file_group)
    os.umask(GROUP_READ_UMASK)
    settings.home.mkdir(parents=True, exist_ok=True)
    if settings.home.stat().st_gid != gid or not settings.home.stat().st_mode & stat.S_ISGID:
        os.chown(settings.home, -1, gid)
        # Set-group-ID on the folder: what is created inside belongs to the group, not to the
        # creator's primary group (and folders inherit the bit).
        os.chmod(settings.home, 0o2750)


def group_id(name: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise FileGroupUnknown(
            f"PEEL_FILE_GROUP is {name!r}, but this machine has no such group. Create it "
            "(groupadd), or unset PEEL_FILE_GROUP so peel's files stay readable by their owner only."
        ) from None


@dataclass(frozen=True)
class Exposure:
    path: Path
    mode: int  # permission bits, e.g. 0o644
    readable_by: str  # "everyone" or "group NAME"

    def describe(self) -> str:
        return f"{self.path} is readable by {self.readable_by} (mode {self.mode:04o})"


def exposed(paths: list[Path], settings: Settings | None = None) -> list[Exposure]:
    """Those of ``paths`` (files or folders that exist) readable beyond their owner and the
    configured group: by everyone, or by a group the administrator did not name."""
    settings = settings or get_settings()
    allowed_gid = group_id(settings.file_group) if settings.file_group else None
    found, seen = [], set()
    for path in paths:
        path = path.resolve()  # the warehouse's name is a link to its current generation
        if path in seen or not path.exists():
            continue
        seen.add(path)
        info = path.stat()
        mode = stat.S_IMODE(info.st_mode)
        if mode & stat.S_IROTH:
            found.append(Exposure(path, mode, "everyone"))
        elif mode & stat.S_IRGRP and info.st_gid != allowed_gid:
            found.append(Exposure(path, mode, f"group {group_name(info.st_gid)}"))
    return found


def group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def holdings(settings: Settings | None = None) -> list[Path]:
    """What ``peel status`` checks: PEEL_HOME itself, the warehouse (its name, every
    generation and the results kept beside them), the SQLite casebook and its journal files,
    the audit key, outputs and demo extracts folders."""
    from peel.warehouse.derived import get_derived_path  # here: it imports close_at_rest

    settings = settings or get_settings()
    home = settings.home
    paths = [home, settings.warehouse_path, get_derived_path(settings.warehouse_path), settings.outputs_dir, settings.demo_dir,
             settings.audit_key_path(), settings.secret_key_path]
    paths += sorted(home.glob("warehouse-*.duckdb")) if home.exists() else []
    if settings.casebook_url.startswith("sqlite:///"):
        casebook = Path(settings.casebook_url.removeprefix("sqlite:///"))
        paths += [casebook, casebook.with_name(casebook.name + "-wal"), casebook.with_name(casebook.name + "-shm")]
    return paths
