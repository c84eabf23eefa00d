"""Finding and opening police.uk files: what the site calls them, which columns each kind
has, and the files a load was given (CSV files, folders of them, the site's zip), in the
order they load. Nothing here reads a row: ``stage.py`` does.
"""

from __future__ import annotations

import csv
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from peel.sources.csv_lines import csv_line_sql

SOURCE_SYSTEM = "police_uk"

STREET_COLUMNS = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
# An outcomes file shares the street file's first nine columns, then names the outcome.
OUTCOMES_COLUMNS = STREET_COLUMNS[:9] + ["Outcome type"]
COLUMNS_BY_KIND = {"street": STREET_COLUMNS, "outcomes": OUTCOMES_COLUMNS}
# The columns kept after a file is read. A crime keeps every column; an outcome needs only
# these (the others are checked as the row is read). A row a person must see (refused or
# flagged) keeps its whole line as read, in ``raw``: keeping less is cheaper to stage.
STAGED_BY_KIND = {
    "street": STREET_COLUMNS,
    # the LSOA places an outcome whose crime predates the loaded street files (crime.scope)
    "outcomes": ["Crime ID", "Falls within", "LSOA code", "Outcome type"],
}

# The site's names: 2021-01-hertfordshire-street.csv, ...-outcomes.csv, ...-stop-and-search.csv
FILE_NAME = re.compile(
    r"^(?P<month>\d{4}-\d{2})-(?P<force>.+)-(?P<kind>street|outcomes|stop-and-search)\.csv$"
)


class IngestError(Exception):
    """A problem the user can act on; the message says which file, which line, what to do."""


@dataclass
class SourceFile:
    """One CSV to load: where it is on disk and how to name it to the user."""

    path: Path
    name: str  # as the user knows it, e.g. 'download.zip:2021-01/2021-01-x-street.csv'
    kind: str  # 'street' or 'outcomes'
    month: str  # from the file name, YYYY-MM
    force: str  # from the file name, e.g. 'hertfordshire'


def collect_files(
    paths: Iterable[Path | str], workdir: Callable[[], Path]
) -> tuple[list[SourceFile], list[str]]:
    """Find the street and outcomes CSVs in files, folders and zip archives.

    Zip members are extracted under the folder ``workdir()`` gives. Returns the files in
    load order and notes about what was skipped (stop-and-search files, other files in
    folders, repeated files). A zip that cannot be read whole refuses the load.
    """
    found: list[SourceFile] = []
    notes: list[str] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise IngestError(
                f"{path}: no such file or folder. Give police.uk CSV files, folders of them, or the site's zip."
            )
        if path.is_dir():
            for member in sorted(p for p in path.rglob("*") if p.is_file()):
                _add_file(found, notes, member, str(member), strict_name=False)
        elif _is_meant_as_zip(path):
            found_before = len(found)
            _unpack_zip(path, workdir, found, notes)
            if len(found) == found_before:
                notes.append(f"{path}: the zip holds no street or outcomes files.")
        else:
            _add_file(found, notes, path, str(path), strict_name=True)
    files = _drop_repeated(found, notes)
    # Street files first, then outcomes: each kind's files get consecutive ids, as the
    # staging reads them (a stable sort keeps the given order within a kind).
    files.sort(key=lambda f: list(COLUMNS_BY_KIND).index(f.kind))
    return files, notes


def _is_meant_as_zip(path: Path) -> bool:
    """A zip by its name or by its first bytes (a damaged one included: it is refused, not
    taken for a CSV file with a wrong name)."""
    with path.open("rb") as f:
        return path.suffix.lower() == ".zip" or f.read(2) == b"PK"


def _unpack_zip(
    path: Path, workdir: Callable[[], Path], found: list[SourceFile], notes: list[str]
) -> None:
    member = None
    try:
        with zipfile.ZipFile(path) as archive:
            for member in sorted(archive.infolist(), key=lambda i: i.filename):
                if member.is_dir():
                    continue
                base = Path(member.filename).name
                name = f"{path}:{member.filename}"
                match = FILE_NAME.match(base)
                if not match or match["kind"] == "stop-and-search":
                    _add_file(found, notes, Path(base), name, strict_name=False)
                    continue
                # a folder per member keeps the site's file name (it carries month and kind)
                target = workdir() / f"{len(found):05d}" / base
                target.parent.mkdir()
                with archive.open(member) as src, target.open("wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                _add_file(found, notes, target, name, strict_name=False)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        if member is None:  # the list of files at the zip's end is missing or damaged
            raise IngestError(
                f"{path}: not a complete zip archive ({error}): the download was probably cut "
                "short, or it is not a zip. Nothing was loaded. Download it again from "
                "data.police.uk (or give the CSV files it holds)."
            ) from None
        raise IngestError(
            f"{path}: the file {member.filename} in the zip is damaged ({error}). Nothing was "
            "loaded. Download the zip again from data.police.uk."
        ) from None


def _add_file(
    found: list[SourceFile], notes: list[str], path: Path, name: str, strict_name: bool
) -> None:
    match = FILE_NAME.match(path.name)
    if match is None:
        if strict_name:
            raise IngestError(
                f"{name}: the file name does not look like a police.uk file. Expected a name like "
                "'2021-01-hertfordshire-street.csv' or '2021-01-hertfordshire-outcomes.csv' "
                "(the month and kind come from the name): rename it or give the site's zip."
            )
        if path.suffix.lower() == ".csv":
            notes.append(f"{name}: skipped, not a police.uk street or outcomes file name.")
        return
    if match["kind"] == "stop-and-search":
        notes.append(f"{name}: skipped, stop-and-search files are not loaded.")
        return
    found.append(
        SourceFile(
            path=path, name=name, kind=match["kind"], month=match["month"], force=match["force"]
        )
    )


def _drop_repeated(found: list[SourceFile], notes: list[str]) -> list[SourceFile]:
    # The same month, force and kind given twice (a folder and its zip): the last one wins,
    # as it would if loaded one after the other.
    last = {(f.kind, f.month, f.force): f for f in found}
    kept = []
    for f in found:
        winner = last[(f.kind, f.month, f.force)]
        if winner is f:
            kept.append(f)
        else:
            notes.append(f"{f.name}: skipped, {winner.name} is the same month, force and kind.")
    return kept


def check_header(source: SourceFile) -> None:
    """Refuse a file whose header is not the police.uk header for its kind."""
    expected = COLUMNS_BY_KIND[source.kind]
    with source.path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        first = f.readline()
    if not first.strip():
        raise IngestError(
            f"{source.name} line 1: the file is empty; expected the police.uk {source.kind} header "
            f"'{','.join(expected)}'. Download the file again."
        )
    found = next(csv.reader([first]))
    if [c.strip() for c in found] != expected:
        missing = [c for c in expected if c not in found]
        extra = [c for c in found if c not in expected]
        detail = []
        if missing:
            detail.append(f"missing {', '.join(missing)}")
        if extra:
            detail.append(f"unexpected {', '.join(extra)}")
        if not detail:
            detail.append("same columns in a different order")
        raise IngestError(
            f"{source.name} line 1: wrong header for a police.uk {source.kind} file "
            f"({'; '.join(detail)}). Expected '{','.join(expected)}', found '{first.strip()}'. "
            "Nothing was loaded: check it is the right file, or that its name says the right kind."
        )


def staging_name(column: str) -> str:
    """A police.uk column's name in the staging tables: 'Crime ID' -> crime_id."""
    return re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_")


def line_as_read_sql(columns: list[str]) -> str:
    """SQL rebuilding a staged row as the CSV line it was read from, for the quarantine."""
    return csv_line_sql(staging_name(c) for c in columns)
