"""Load data.police.uk street and outcomes files into the warehouse.

Input is any mix of CSV files, folders of monthly CSVs (nested month folders too) and the
zip archive the site serves. The work is done in DuckDB SQL, not row by row in Python:
each file is read once into a staging table (that is where the line numbers come from),
every check is a SQL expression, and the good rows are written with INSERT ... SELECT.

One call is one batch (``open_batch``): rows that fail a check go to ``quarantine`` with
file, line and reason, the rest load; anything that makes a whole file unreadable (wrong
header, truncated last line) fails the batch and leaves the warehouse as it was.
"""

from __future__ import annotations

import contextlib
import csv
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from peel.sources.csv_lines import count_lines, csv_line_sql
from peel.sources.outcomes import (
    UNMAPPED_FLAG,
    UNMAPPED_GROUP,
    load_outcome_mapping,
    sync_outcome_mapping,
)
from peel.warehouse import clear_quarantine, open_batch

if TYPE_CHECKING:
    import pandas as pd

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
    "outcomes": ["Crime ID", "Falls within", "Outcome type"],
}

# The site's names: 2021-01-hertfordshire-street.csv, ...-outcomes.csv, ...-stop-and-search.csv
FILE_NAME = re.compile(
    r"^(?P<month>\d{4}-\d{2})-(?P<force>.+)-(?P<kind>street|outcomes|stop-and-search)\.csv$"
)

# A box around the UK (Northern Ireland to East Anglia, Scilly to Shetland). Coordinates
# outside it are valid numbers but almost certainly wrong for a UK force: loaded and flagged.
UK_BOX = {"lon_min": -11.0, "lon_max": 3.0, "lat_min": 49.0, "lat_max": 61.5}

# How many problems to name in a failure message or the console summary.
MAX_REPORTED = 10

# One definition of a slug (force and reported-by names as codes), used in SQL.
SLUG_SQL = "trim(regexp_replace(lower(trim({0})), '[^a-z0-9]+', '-', 'g'), '-')"


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


@dataclass
class IngestResult:
    """What a load did, for the summary line and for tests."""

    batch_id: int
    files: list[str]
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_flagged: int = 0
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # first quarantined/flagged rows


def read_crime_types() -> pd.DataFrame:
    """Return the police.uk crime types (``mappings/police_uk_crime_types.csv``)."""
    import pandas as pd  # here, not above: peel.sources is imported by every peel command

    path = resources.files("peel.sources") / "mappings" / "police_uk_crime_types.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["is_anti_social_behaviour"] = frame["is_anti_social_behaviour"] == "true"
    return frame


def render_crime_types_table() -> str:
    """Return the crime types as a Markdown table, for docs/ingest.md (a test keeps them equal)."""
    lines = ["| police.uk crime type | anti-social behaviour | note |", "|---|---|---|"]
    for row in read_crime_types().itertuples():
        lines.append(
            f"| {row.crime_type} | {'yes' if row.is_anti_social_behaviour else 'no'} | {row.note} |"
        )
    return "\n".join(lines)


def collect_files(paths: Iterable[Path | str], workdir: Path) -> tuple[list[SourceFile], list[str]]:
    """Find the street and outcomes CSVs in files, folders and zip archives.

    Zip members are extracted under ``workdir``. Returns the files in load order and notes
    about what was skipped (stop-and-search files, other files in folders, repeated files).
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
        elif zipfile.is_zipfile(path):
            found_before = len(found)
            with zipfile.ZipFile(path) as archive:
                for info in sorted(archive.infolist(), key=lambda i: i.filename):
                    if info.is_dir():
                        continue
                    base = Path(info.filename).name
                    name = f"{path}:{info.filename}"
                    match = FILE_NAME.match(base)
                    if not match or match["kind"] == "stop-and-search":
                        _add_file(found, notes, Path(base), name, strict_name=False)
                        continue
                    # a folder per member keeps the site's file name (it carries month and kind)
                    target = workdir / f"{len(found):05d}" / base
                    target.parent.mkdir()
                    with archive.open(info) as src, target.open("wb") as dst:
                        while chunk := src.read(1 << 20):
                            dst.write(chunk)
                    _add_file(found, notes, target, name, strict_name=False)
            if len(found) == found_before:
                notes.append(f"{path}: the zip holds no street or outcomes files.")
        else:
            _add_file(found, notes, path, str(path), strict_name=True)
    files = _drop_repeated(found, notes)
    # Street files first, then outcomes: each kind's files get consecutive ids, as the
    # staging reads them (a stable sort keeps the given order within a kind).
    files.sort(key=lambda f: list(COLUMNS_BY_KIND).index(f.kind))
    return files, notes


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


def _staging_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _slug(expr: str) -> str:
    return SLUG_SQL.format(expr)


# Most files per read_csv call: DuckDB reads a list of files in parallel, many times faster
# than one call per file, and a few big reads cost less CPU than many small ones (143 files
# in one read took ~0.4 CPU s less than in groups of 32, bench/ingest.py). The progress bar
# moves once per group, so this also sets how often it moves.
FILES_PER_READ = 256


def stage_files(
    con: duckdb.DuckDBPyConnection,
    files: list[SourceFile],
    advance: Callable[[SourceFile], None] | None = None,
) -> list[str]:
    """Read every file once into the temp tables ``stg_street`` / ``stg_outcomes``.

    Each staged row carries its ``file_id``, the columns in ``STAGED_BY_KIND``, the result
    of the row checks (``base_reason``, ``flag``, see ``street_checks``) and, for a row with
    either, its whole line as read (``raw``); the views ``stg_street_lines`` /
    ``stg_outcomes_lines`` add ``file_name``, ``file_month`` and ``line`` (1-based, header
    is line 1). Rows the CSV reader cannot parse (missing or extra fields, an unclosed
    quote, bad encoding) go to ``stg_reject`` instead.
    Returns notes for the user (about line numbers that may be off).
    """
    for source in files:  # a wrong header refuses the load before anything is read
        check_header(source)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stg_file (file_id INTEGER, name VARCHAR, path VARCHAR, "
        "kind VARCHAR, month VARCHAR, month_start DATE, force VARCHAR, first_rowid BIGINT, rows BIGINT)"
    )
    # One statement for all files (executemany runs one statement per file)
    con.execute(
        """INSERT INTO stg_file SELECT generate_subscripts(?, 1) - 1, unnest(?), unnest(?),
               unnest(?), unnest(?), CAST(unnest(?) || '-01' AS DATE), unnest(?), NULL, 0""",
        [
            [f.name for f in files],
            [f.name for f in files],
            [str(f.path) for f in files],
            [f.kind for f in files],
            [f.month for f in files],
            [f.month for f in files],
            [f.force for f in files],
        ],
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stg_reject (file_id INTEGER, line BIGINT, reason VARCHAR, raw VARCHAR)"
    )
    for kind, columns in COLUMNS_BY_KIND.items():
        kept = [_staging_name(c) for c in STAGED_BY_KIND[kind]]
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE stg_{kind} ({' VARCHAR, '.join(kept)} VARCHAR, "
            "file_id INTEGER, lon_num DOUBLE, lat_num DOUBLE, base_reason VARCHAR, flag VARCHAR, "
            "raw VARCHAR)"
        )
        reason, flag = CHECKS_BY_KIND[kind]()
        spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in columns) + "}"
        ids = [i for i, f in enumerate(files) if f.kind == kind]
        # groups of even size: a small last group would be read with little parallelism
        size = -(-len(ids) // -(-len(ids) // FILES_PER_READ)) if ids else 1
        for start in range(0, len(ids), size):
            group = [files[i] for i in ids[start : start + size]]
            first_id = ids[start]
            con.execute("DROP TABLE IF EXISTS peel_csv_rejects")
            con.execute("DROP TABLE IF EXISTS peel_csv_scans")
            # Every column as text: the checks decide what is valid, and say why not. They
            # run as the rows are read (no second pass), against the month in the file name.
            months = "[" + ", ".join(f"'{f.month}'" for f in group) + "]"
            renamed = ", ".join(f'"{c}" AS {_staging_name(c)}' for c in columns)
            con.execute(
                f"""INSERT INTO stg_{kind}
                    SELECT {", ".join(kept)}, file_id, lon_num, lat_num, base_reason, flag,
                        CASE WHEN base_reason IS NOT NULL OR flag IS NOT NULL
                            THEN {_raw_sql(columns)} END
                    FROM (SELECT s.*, {first_id} + s.file_index AS file_id,
                              {reason} AS base_reason, {flag} AS flag
                          FROM (SELECT {renamed}, file_index,
                                    {months}[file_index::BIGINT + 1] AS file_month,
                                    try_cast("Longitude" AS DOUBLE) AS lon_num,
                                    try_cast("Latitude" AS DOUBLE) AS lat_num
                                FROM read_csv(?, header = true, columns = {spec},
                                    auto_detect = false, delim = ',', quote = '"', escape = '"',
                                    strict_mode = true, store_rejects = true,
                                    rejects_table = 'peel_csv_rejects',
                                    rejects_scan = 'peel_csv_scans')) s)""",
                [[str(f.path) for f in group]],
            )
            con.execute(
                """INSERT INTO stg_reject
                   SELECT f.file_id, e.line,
                          -- one message per line: the first column in error says it
                          arg_min(e.error_type || ': ' || e.error_message, e.column_idx),
                          any_value(e.csv_line)
                   FROM peel_csv_rejects e
                   JOIN peel_csv_scans s USING (scan_id, file_id)
                   JOIN stg_file f ON f.path = s.file_path
                   GROUP BY f.file_id, e.line"""
            )
            for source in group:
                if advance:
                    advance(source)
        # A file's rows are contiguous and in file order (DuckDB preserves insertion
        # order): its first row id is where its line numbering starts.
        con.execute(
            f"""UPDATE stg_file SET first_rowid = r.first_rowid, rows = r.rows
                FROM (SELECT file_id, min(rowid) AS first_rowid, count(*) AS rows
                      FROM stg_{kind} GROUP BY file_id) r
                WHERE stg_file.file_id = r.file_id"""
        )
    con.execute("DROP TABLE IF EXISTS peel_csv_rejects")
    con.execute("DROP TABLE IF EXISTS peel_csv_scans")
    notes = _find_skipped_lines(con, files)
    # A line the reader skipped (unparseable, or blank) is not in the staging table: the
    # rows after it move one line down.
    has_gaps = con.execute("SELECT count(*) FROM stg_gap").fetchone()[0] > 0
    shift = (
        """ + (SELECT count(*) FROM (
                 SELECT line - 1 - row_number() OVER (ORDER BY line) AS rows_before
                 FROM stg_gap g WHERE g.file_id = f.file_id)
               WHERE rows_before <= s.rowid - f.first_rowid)"""
        if has_gaps
        else ""
    )
    for kind in COLUMNS_BY_KIND:
        con.execute(
            f"""CREATE OR REPLACE TEMP VIEW stg_{kind}_lines AS
                SELECT s.*, s.rowid AS stg_row, f.name AS file_name, f.month AS file_month,
                       f.month_start, s.rowid - f.first_rowid + 2 {shift} AS line
                FROM stg_{kind} s JOIN stg_file f USING (file_id)"""
        )
    return notes


def _find_skipped_lines(con: duckdb.DuckDBPyConnection, files: list[SourceFile]) -> list[str]:
    """Fill ``stg_gap`` with the lines of each file that are not staged rows.

    The CSV reader skips blank lines without a trace, so each file's lines are counted
    (a fast byte count); only a file whose count differs is searched for blank lines.
    """
    con.execute("CREATE OR REPLACE TEMP TABLE stg_gap AS SELECT file_id, line FROM stg_reject")
    counts = dict(
        con.execute(
            """SELECT f.file_id, f.rows + 1 + count(r.line)
               FROM stg_file f LEFT JOIN stg_reject r USING (file_id) GROUP BY f.file_id, f.rows"""
        ).fetchall()
    )
    notes, blanks = [], []
    for file_id, source in enumerate(files):
        lines = count_lines(source.path)
        if lines == counts[file_id]:
            continue
        data = source.path.read_bytes()
        found = [
            i for i, text in enumerate(data.split(b"\n")[:lines], start=1) if text in (b"", b"\r")
        ]
        blanks += [(file_id, i) for i in found]
        if lines - len(found) != counts[file_id]:
            notes.append(
                f"{source.name}: some rows span several lines (a quoted field with a line "
                "break), so line numbers after the first such row may be too small."
            )
    if blanks:
        con.executemany("INSERT INTO stg_gap VALUES (?, ?)", blanks)
    return notes


def refuse_truncated_files(con: duckdb.DuckDBPyConnection) -> None:
    """Fail the load when a file's last line could not be parsed: the file is cut short."""
    if con.execute("SELECT count(*) FROM stg_reject").fetchone()[0] == 0:
        return
    row = con.execute(
        """WITH last AS (
               SELECT file_id, max(line) AS line FROM (
                   SELECT file_id, line FROM stg_street_lines
                   UNION ALL SELECT file_id, line FROM stg_outcomes_lines)
               GROUP BY file_id)
           SELECT f.name, r.line, r.reason
           FROM stg_reject r JOIN stg_file f USING (file_id) LEFT JOIN last l USING (file_id)
           WHERE r.line > coalesce(l.line, 0)
           ORDER BY r.file_id, r.line LIMIT 1"""
    ).fetchone()
    if row:
        name, line, reason = row
        raise IngestError(
            f"{name} line {line}: the last line is incomplete ({reason}): the file looks truncated. "
            "Nothing was loaded. Download the file again and reload it."
        )


def refuse_overlapping_files(con: duckdb.DuckDBPyConnection) -> None:
    """Fail the load when two street files hold anti-social behaviour of the same month and
    reporting force: their ASB ids (month, force, line) would clash, and one month's ASB
    comes from one file."""
    row = con.execute(
        """SELECT s.month, s.reported_by, list(DISTINCT f.name ORDER BY f.name)
           FROM stg_street s JOIN stg_file f USING (file_id)
           WHERE s.crime_id IS NULL
           GROUP BY s.month, s.reported_by HAVING count(DISTINCT s.file_id) > 1
           ORDER BY ALL LIMIT 1"""
    ).fetchone()
    if row:
        month, reported_by, names = row
        raise IngestError(
            f"{' and '.join(names)} both hold anti-social behaviour for {month} reported by "
            f"{reported_by}. Nothing was loaded: give only one street file per month and force."
        )


def _raw_sql(columns: list[str]) -> str:
    """SQL rebuilding a staged row as a CSV line, for the quarantine."""
    return csv_line_sql(_staging_name(c) for c in columns)


def _sql_list(values) -> str:
    return "(" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + ")"


# Checks shared by both kinds of file: the first failing check is the row's reason.
_COMMON_CHECKS = """
    WHEN s.month IS DISTINCT FROM s.file_month THEN CASE
        WHEN s.month IS NULL OR NOT regexp_full_match(s.month, '\\d{4}-(0[1-9]|1[0-2])')
            THEN 'bad Month ''' || coalesce(s.month, '') || ''': expected YYYY-MM'
        ELSE 'Month ' || s.month || ' does not match the file name''s month ' || s.file_month END
    WHEN s.falls_within IS NULL
        THEN 'missing Falls within: expected the force''s name'
    WHEN (s.longitude IS NULL) <> (s.latitude IS NULL)
        THEN 'bad coordinate: Longitude and Latitude must both be given or both be empty'
    WHEN s.longitude IS NOT NULL AND s.lon_num IS NULL
        THEN 'bad coordinate: Longitude ''' || s.longitude || ''' is not a number'
    WHEN s.latitude IS NOT NULL AND s.lat_num IS NULL
        THEN 'bad coordinate: Latitude ''' || s.latitude || ''' is not a number'
    WHEN NOT s.lon_num BETWEEN -180 AND 180
        THEN 'bad coordinate: Longitude ' || s.longitude || ' is outside -180..180'
    WHEN NOT s.lat_num BETWEEN -90 AND 90
        THEN 'bad coordinate: Latitude ' || s.latitude || ' is outside -90..90'
"""

_FAR_FROM_UK = (
    f"NOT (s.lon_num BETWEEN {UK_BOX['lon_min']} AND {UK_BOX['lon_max']}"
    f" AND s.lat_num BETWEEN {UK_BOX['lat_min']} AND {UK_BOX['lat_max']})"
)
FAR_FROM_UK_FLAG = "coordinates far outside the UK: loaded, check the location"


def street_checks() -> tuple[str, str]:
    """SQL for a street row's reason (NULL when it loads) and flag (loads, worth a look)."""
    types = read_crime_types()
    known = _sql_list(types["crime_type"])
    asb = _sql_list(types.loc[types["is_anti_social_behaviour"], "crime_type"])
    wordings = _sql_list(load_outcome_mapping()["outcome_type"])
    reason = f"""CASE {_COMMON_CHECKS}
        WHEN s.crime_type IS NULL OR s.crime_type NOT IN {known}
            THEN 'unknown crime type ''' || coalesce(s.crime_type, '') ||
                 ''': expected a police.uk crime type (police_uk_crime_types.csv)'
        WHEN s.crime_id IS NULL AND s.crime_type NOT IN {asb}
            THEN 'missing Crime ID on a ''' || s.crime_type ||
                 ''' row: only anti-social behaviour may have none'
        END"""
    flag = f"""CASE WHEN {_FAR_FROM_UK} THEN '{FAR_FROM_UK_FLAG}'
        WHEN s.last_outcome_category NOT IN {wordings}
            THEN 'Last outcome category ''' || s.last_outcome_category || ''': {UNMAPPED_FLAG}'
        END"""
    return reason, flag


def outcomes_checks() -> tuple[str, str]:
    """SQL for an outcome row's reason (NULL when it loads) and flag (loads, worth a look)."""
    wordings = _sql_list(load_outcome_mapping()["outcome_type"])
    reason = f"""CASE {_COMMON_CHECKS}
        WHEN s.crime_id IS NULL THEN 'missing Crime ID: an outcome must name its crime'
        WHEN s.outcome_type IS NULL THEN 'missing Outcome type'
        END"""
    flag = f"""CASE WHEN {_FAR_FROM_UK} THEN '{FAR_FROM_UK_FLAG}'
        WHEN s.outcome_type NOT IN {wordings}
            THEN 'Outcome type ''' || s.outcome_type || ''': {UNMAPPED_FLAG}'
        END"""
    return reason, flag


CHECKS_BY_KIND = {"street": street_checks, "outcomes": outcomes_checks}

# The district of an LSOA is its name without the last token: 'Broxbourne 001A' -> 'Broxbourne'.
DISTRICT_SQL = "nullif(nullif(rtrim(left({0}, length({0}) - strpos(reverse({0}), ' '))), {0}), '')"


def check_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Finish the row checks over the staged rows (which carry ``base_reason`` and ``flag``).

    ``chk_street`` / ``chk_outcomes`` give each row its ``reason`` (NULL when it loads) and
    ``flag`` (loads, but worth a look). A Crime ID repeated within a file loads once (its
    first line); one repeated in a later month's file of the same load is taken from there.
    """
    # Repeated Crime IDs are few: find them with one aggregate, then rank only those rows.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE stg_dup AS
           WITH repeated AS (
               SELECT crime_id FROM stg_street WHERE crime_id IS NOT NULL
               GROUP BY crime_id HAVING count(*) > 1),
           ranked AS (
               SELECT b.stg_row, b.file_id, b.line, b.file_month,
                   first_value(b.file_id) OVER w AS winner_file,
                   first_value(b.line) OVER w AS winner_line
               FROM stg_street_lines b JOIN repeated USING (crime_id)
               WHERE b.base_reason IS NULL
               WINDOW w AS (PARTITION BY b.crime_id ORDER BY b.file_month DESC, b.file_id DESC, b.line))
           SELECT stg_row,
               CASE WHEN file_id = winner_file THEN 'duplicate Crime ID: line ' || winner_line ||
                   ' of this file has it too and is the one loaded' END AS dup_reason,
               file_id <> winner_file AS superseded
           FROM ranked WHERE (file_id, line) <> (winner_file, winner_line)"""
    )
    # Anti-social behaviour ids use the reporting force as a slug: a few names, slugged once.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE stg_reporter AS
            SELECT reported_by, {_slug("reported_by")} AS slug
            FROM (SELECT DISTINCT reported_by FROM stg_street WHERE crime_id IS NULL)"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP VIEW chk_street AS
            SELECT b.* EXCLUDE (base_reason), coalesce(b.base_reason, d.dup_reason) AS reason,
                coalesce(d.superseded, false) AS superseded,
                coalesce(b.crime_id, 'asb:' || b.file_month || ':'
                         || coalesce(r.slug, 'unknown-reporter') || ':' || b.line) AS rid
            FROM stg_street_lines b
            LEFT JOIN stg_dup d USING (stg_row)
            LEFT JOIN stg_reporter r ON r.reported_by = b.reported_by"""
    )
    con.execute(
        """CREATE OR REPLACE TEMP VIEW chk_outcomes AS
            SELECT s.* EXCLUDE (base_reason), s.base_reason AS reason, m.outcome_group,
                m.ho_outcome_code, m.is_positive, m.outcome_type IS NULL AS unmapped
            FROM stg_outcomes_lines s
            LEFT JOIN outcome_mapping m ON m.outcome_type = s.outcome_type"""
    )
    # The rows a person should see: refused (reason) or loaded with a flag. Few, so kept.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE stg_problem AS
            SELECT f.name AS file_name, r.line, r.reason, NULL AS flag, r.raw
            FROM stg_reject r JOIN stg_file f USING (file_id)
            UNION ALL
            -- a repeated Crime ID is refused after the read: its line is rebuilt here
            SELECT file_name, line, reason, flag, coalesce(raw, {_raw_sql(STREET_COLUMNS)})
            FROM chk_street WHERE reason IS NOT NULL OR flag IS NOT NULL
            UNION ALL
            SELECT file_name, line, reason, flag, raw
            FROM chk_outcomes WHERE reason IS NOT NULL OR flag IS NOT NULL"""
    )


def _problems(con: duckdb.DuckDBPyConnection, refused: bool) -> tuple[int, list[str]]:
    """Count refused (or flagged) rows and describe the first few as 'file line N: why'."""
    where = "reason IS NOT NULL" if refused else "reason IS NULL"
    what = "reason" if refused else "flag"
    total = con.execute(f"SELECT count(*) FROM stg_problem WHERE {where}").fetchone()[0]
    first = con.execute(
        f"SELECT file_name, line, {what} FROM stg_problem WHERE {where} "
        f"ORDER BY file_name, line LIMIT {MAX_REPORTED}"
    ).fetchall()
    return total, [f"{name} line {line}: {why}" for name, line, why in first]


def write_quarantine(con: duckdb.DuckDBPyConnection, batch_id: int, names: list[str]) -> None:
    """Keep every refused row, with file, line, reason and the row as read.

    A reloaded file's earlier quarantine rows are replaced by its rows now (matched on the
    file's own name, so a file loaded from a folder and later from the zip is the same).
    """
    clear_quarantine(con, SOURCE_SYSTEM, names)
    con.execute(
        f"""INSERT INTO quarantine (batch_id, source_system, file, line, reason, raw)
            SELECT {batch_id}, '{SOURCE_SYSTEM}', file_name, line, reason, raw
            FROM stg_problem WHERE reason IS NOT NULL"""
    )


def _has_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return (
        con.execute(
            f"SELECT 1 FROM {table} WHERE source_system = '{SOURCE_SYSTEM}' LIMIT 1"
        ).fetchone()
        is not None
    )


def write_crimes(con: duckdb.DuckDBPyConnection, batch_id: int) -> tuple[int, int]:
    """Replace crimes by crime_key with the good street rows; return (written, superseded).

    Anti-social behaviour has no Crime ID to match on: a street file for a month replaces
    all the ASB rows loaded before for that month and reporting force.
    """
    good = "reason IS NULL AND NOT superseded"
    if _has_rows(con, "crime"):  # a first load has nothing to replace: skip the search
        con.execute(
            f"""DELETE FROM crime WHERE source_system = '{SOURCE_SYSTEM}' AND crime_key IN (
                    SELECT '{SOURCE_SYSTEM}:' || rid FROM chk_street WHERE {good})"""
        )
        con.execute(
            f"""DELETE FROM crime WHERE source_system = '{SOURCE_SYSTEM}'
                AND split_part(source_record_id, ':', 1) = 'asb'
                AND (month, split_part(source_record_id, ':', 3)) IN (
                    SELECT DISTINCT (f.month_start, coalesce(r.slug, 'unknown-reporter'))
                    FROM stg_street s JOIN stg_file f USING (file_id)
                    LEFT JOIN stg_reporter r ON r.reported_by = s.reported_by
                    WHERE s.crime_id IS NULL)"""
        )
    # A few thousand neighbourhood names: work out each one's district once, not per row.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE stg_district AS
            SELECT lsoa_name, {DISTRICT_SQL.format("lsoa_name")} AS district_code
            FROM (SELECT DISTINCT lsoa_name FROM stg_street WHERE lsoa_name IS NOT NULL)"""
    )
    written = con.execute(
        f"""INSERT INTO crime (crime_key, source_system, source_record_id, batch_id, month, force,
                reported_by, longitude, latitude, location, lsoa_code, lsoa_name, district_code,
                crime_type, last_outcome, context)
            SELECT '{SOURCE_SYSTEM}:' || rid, '{SOURCE_SYSTEM}', rid, {batch_id},
                month_start, falls_within, reported_by,
                lon_num, lat_num, location, lsoa_code,
                lsoa_name, d.district_code, crime_type,
                last_outcome_category, context
            FROM chk_street LEFT JOIN stg_district d USING (lsoa_name) WHERE {good}"""
    ).fetchone()[0]
    superseded = con.execute("SELECT count(*) FROM stg_dup WHERE superseded").fetchone()[0]
    return written, superseded


# In police_uk_outcome_origin, this crime_key stands for "every outcome of that month in
# that batch": a batch that loaded one force's file for a month needs no per-row record.
WHOLE_FILE = "*"


def write_outcomes(con: duckdb.DuckDBPyConnection, batch_id: int) -> int:
    """Replace the outcomes each file (month, force) loaded before with the good rows now."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE stg_outcome_file AS
            SELECT CAST(file_month || '-01' AS DATE) AS month, {_slug("falls_within")} AS force_code,
                count(*) OVER (PARTITION BY file_month) AS forces_in_month
            FROM (SELECT DISTINCT f.month AS file_month, s.falls_within
                  FROM stg_outcomes s JOIN stg_file f USING (file_id)
                  WHERE s.falls_within IS NOT NULL)"""
    )
    if _has_rows(con, "outcome"):
        con.execute(
            f"""DELETE FROM outcome o WHERE source_system = '{SOURCE_SYSTEM}'
                AND month IN (SELECT month FROM stg_outcome_file)
                AND ((batch_id, month) IN (
                        SELECT (g.batch_id, g.month) FROM police_uk_outcome_origin g
                        JOIN stg_outcome_file USING (month, force_code) WHERE g.crime_key = '{WHOLE_FILE}')
                     OR (crime_key, month) IN (
                        SELECT (g.crime_key, g.month) FROM police_uk_outcome_origin g
                        JOIN stg_outcome_file USING (month, force_code) WHERE g.crime_key <> '{WHOLE_FILE}'))"""
        )
        con.execute(
            """DELETE FROM police_uk_outcome_origin WHERE (month, force_code) IN (
                   SELECT (month, force_code) FROM stg_outcome_file)"""
        )
    written = con.execute(
        f"""INSERT INTO outcome (crime_key, source_system, source_record_id, batch_id, month,
                outcome_type, outcome_group, ho_outcome_code, is_positive, flagged)
            SELECT '{SOURCE_SYSTEM}:' || crime_id, '{SOURCE_SYSTEM}', crime_id, {batch_id},
                month_start, outcome_type,
                coalesce(outcome_group, '{UNMAPPED_GROUP}'), ho_outcome_code, is_positive,
                CASE WHEN unmapped THEN '{UNMAPPED_FLAG}' END
            FROM chk_outcomes WHERE reason IS NULL"""
    ).fetchone()[0]
    con.execute(
        f"""INSERT INTO police_uk_outcome_origin
            SELECT '{WHOLE_FILE}', month, force_code, {batch_id}
            FROM stg_outcome_file WHERE forces_in_month = 1"""
    )
    # Two forces' files for one month in one batch: record which crime came from which.
    con.execute(
        f"""INSERT INTO police_uk_outcome_origin
            SELECT DISTINCT '{SOURCE_SYSTEM}:' || c.crime_id, o.month, o.force_code, {batch_id}
            FROM chk_outcomes c
            JOIN stg_outcome_file o ON o.month = c.month_start
                AND o.force_code = {_slug("c.falls_within")}
            WHERE o.forces_in_month > 1 AND c.reason IS NULL"""
    )
    return written


def write_areas(con: duckdb.DuckDBPyConnection, batch_id: int) -> None:
    """Upsert the force, district and neighbourhood (LSOA) areas this load touched.

    Districts and neighbourhoods are computed from every police.uk crime in the warehouse
    in those areas, so the result depends on what is loaded, not on the order of loads.
    """
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE stg_area AS
            WITH forces AS (
                SELECT DISTINCT falls_within FROM stg_street WHERE falls_within IS NOT NULL
                UNION SELECT DISTINCT falls_within FROM stg_outcomes WHERE falls_within IS NOT NULL),
            touched AS (SELECT DISTINCT lsoa_code FROM stg_street WHERE lsoa_code IS NOT NULL),
            crimes AS (
                SELECT c.force, c.lsoa_code, c.lsoa_name, c.district_code, c.longitude, c.latitude
                FROM crime c JOIN touched USING (lsoa_code)
                WHERE c.source_system = '{SOURCE_SYSTEM}')
            SELECT {_slug("falls_within")} AS area_code, min(falls_within) AS area_name,
                'force' AS level, NULL AS parent_code, NULL::DOUBLE AS longitude,
                NULL::DOUBLE AS latitude, min(falls_within) AS source_record_id
            FROM forces GROUP BY 1
            UNION ALL
            SELECT district_code, district_code, 'district', {_slug("mode(force)")},
                NULL, NULL, district_code
            FROM crimes WHERE district_code IS NOT NULL GROUP BY district_code
            UNION ALL
            SELECT lsoa_code, mode(lsoa_name), 'neighbourhood', mode(district_code),
                -- exact decimal sums: a float sum's order varies between runs, and a reload
                -- must give the same mean to the last digit
                avg(longitude::DECIMAL(18, 6))::DOUBLE, avg(latitude::DECIMAL(18, 6))::DOUBLE,
                lsoa_code
            FROM crimes GROUP BY lsoa_code"""
    )
    con.execute(
        f"""INSERT OR REPLACE INTO area (area_code, area_name, level, parent_code, longitude,
                latitude, source_system, source_record_id, batch_id)
            SELECT area_code, area_name, level, parent_code, longitude, latitude,
                '{SOURCE_SYSTEM}', source_record_id, {batch_id}
            FROM stg_area"""
    )


Progress = Callable[[int, int, str], None]


def ingest_police_uk(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path | str],
    strict: bool = False,
    progress: Progress | None = None,
) -> IngestResult:
    """Load police.uk street and outcomes files (files, folders, zips) as one batch.

    ``progress(done, total, file_name)`` is called as files are read. With ``strict``, any
    row that fails a check fails the whole batch. Raises ``IngestError`` (nothing written)
    when the load cannot go ahead.
    """
    paths = list(paths)
    with tempfile.TemporaryDirectory(prefix="peel-police-uk-") as workdir:
        files, notes = collect_files(paths, Path(workdir))
        if not files:
            raise IngestError(
                f"No police.uk street or outcomes files found in {', '.join(str(p) for p in paths)}. "
                + (" ".join(notes) + " " if notes else "")
                + "Give files named like '2021-01-hertfordshire-street.csv', folders of them, "
                "or the site's zip."
            )
        try:
            return _load(con, files, notes, strict, progress)
        finally:
            drop_scratch(con)


def _load(
    con: duckdb.DuckDBPyConnection,
    files: list[SourceFile],
    notes: list[str],
    strict: bool,
    progress: Progress | None,
) -> IngestResult:
    done = 0

    def advance(source: SourceFile) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(files), source.name)

    if progress:
        progress(0, len(files), files[0].name)
    # Staging is outside the batch transaction: its temp tables are scratch, not warehouse
    # data, and rows committed to them get row ids in file order, which line numbers rely on.
    notes += stage_files(con, files, advance)
    refuse_truncated_files(con)
    refuse_overlapping_files(con)
    names = [f.name for f in files]
    # The warehouse tables do not need rows in file order (staging did): without that
    # promise DuckDB writes them in parallel.
    with _insertion_order(con, preserve=False):
        return _write(con, names, notes, strict)


@contextlib.contextmanager
def _insertion_order(con: duckdb.DuckDBPyConnection, preserve: bool) -> Iterator[None]:
    before = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute(f"SET preserve_insertion_order = {str(preserve).lower()}")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {str(before).lower()}")


def _write(
    con: duckdb.DuckDBPyConnection, names: list[str], notes: list[str], strict: bool
) -> IngestResult:
    with open_batch(con, SOURCE_SYSTEM, names) as batch:
        result = IngestResult(batch_id=batch.batch_id, files=names, notes=notes)
        sync_outcome_mapping(con)
        check_rows(con)

        result.rows_quarantined, result.problems = _problems(con, refused=True)
        if strict and result.rows_quarantined:
            raise IngestError(
                f"--strict: {result.rows_quarantined} row(s) failed checks, so nothing was loaded. "
                + "; ".join(result.problems)
                + ". Fix those rows, or load without --strict to quarantine them and load the rest."
            )
        result.rows_flagged, flags = _problems(con, refused=False)
        result.problems += flags
        result.rows_read = con.execute(
            "SELECT sum(rows) + (SELECT count(*) FROM stg_reject) FROM stg_file"
        ).fetchone()[0]
        write_quarantine(con, batch.batch_id, names)
        crimes, superseded = write_crimes(con, batch.batch_id)
        outcomes = write_outcomes(con, batch.batch_id)
        write_areas(con, batch.batch_id)
        if superseded:
            notes.append(
                f"{superseded} street row(s) superseded by the same crime in a later file of this load."
            )
        result.rows_loaded = crimes + outcomes
        batch.rows_read = result.rows_read
        batch.rows_loaded = result.rows_loaded
        batch.rows_quarantined = result.rows_quarantined
        batch.note = "; ".join([f"{result.rows_flagged} row(s) flagged"] + notes)
    return result


SCRATCH_VIEWS = (
    "chk_street",
    "chk_outcomes",
    "stg_street_lines",
    "stg_outcomes_lines",
)
SCRATCH_TABLES = (
    "stg_file",
    "stg_reject",
    "stg_gap",
    "stg_street",
    "stg_outcomes",
    "stg_dup",
    "stg_reporter",
    "stg_problem",
    "stg_outcome_file",
    "stg_area",
    "stg_district",
    "peel_csv_rejects",
    "peel_csv_scans",
)


def drop_scratch(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the load's temp views and tables (they would otherwise live as long as the connection)."""
    for view in SCRATCH_VIEWS:
        con.execute(f"DROP VIEW IF EXISTS {view}")
    for table in SCRATCH_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
