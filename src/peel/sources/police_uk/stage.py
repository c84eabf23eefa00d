"""Reading police.uk files into staging: each file once, every column as text, each row with
its file and line, and the result of the row checks computed as it is read.

The staging tables are temp tables of the load's connection (``load.py`` drops them):
``stg_file`` (one row per file), ``stg_street`` / ``stg_outcomes`` (the rows), ``stg_reject``
(lines the CSV reader could not parse) and ``stg_gap`` (lines that are not rows). A file
whose header is wrong, or whose last line is cut short, refuses the whole load here.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from peel.sources.csv_lines import (
    KEPT_CHARS,
    MAX_LINE_BYTES,
    count_lines,
    scan_lines,
    too_long_reason,
)
from peel.sources.police_uk.checks import CHECKS_BY_KIND
from peel.sources.police_uk.files import (
    COLUMNS_BY_KIND,
    STAGED_BY_KIND,
    IngestError,
    SourceFile,
    check_header,
    line_as_read_sql,
    staging_name,
)
from peel.warehouse.sql import literal_list, quote_identifier, quote_literal

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
        kept = [staging_name(c) for c in STAGED_BY_KIND[kind]]
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE stg_{kind} ({' VARCHAR, '.join(kept)} VARCHAR, "
            "file_id INTEGER, lon_num DOUBLE, lat_num DOUBLE, base_reason VARCHAR, flag VARCHAR, "
            "raw VARCHAR)"
        )
        reason, flag = CHECKS_BY_KIND[kind]()
        spec = "{" + ", ".join(f"{quote_literal(c)}: 'VARCHAR'" for c in columns) + "}"
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
            months = literal_list(f.month for f in group)
            renamed = ", ".join(f"{quote_identifier(c)} AS {staging_name(c)}" for c in columns)
            con.execute(
                f"""INSERT INTO stg_{kind}
                    SELECT {", ".join(kept)}, file_id, lon_num, lat_num, base_reason, flag,
                        CASE WHEN base_reason IS NOT NULL OR flag IS NOT NULL
                            THEN {line_as_read_sql(columns)} END
                    FROM (SELECT s.*, {first_id} + s.file_index AS file_id,
                              {reason} AS base_reason, {flag} AS flag
                          FROM (SELECT {renamed}, file_index,
                                    {months}[file_index::BIGINT + 1] AS file_month,
                                    try_cast("Longitude" AS DOUBLE) AS lon_num,
                                    try_cast("Latitude" AS DOUBLE) AS lat_num
                                FROM read_csv(?, header = true, columns = {spec},
                                    auto_detect = false, delim = ',', quote = '"', escape = '"',
                                    strict_mode = true, max_line_size = {MAX_LINE_BYTES},
                                    store_rejects = true,
                                    rejects_table = 'peel_csv_rejects',
                                    rejects_scan = 'peel_csv_scans')) s)""",
                [[str(f.path) for f in group]],
            )
            con.execute(
                """INSERT INTO stg_reject
                   SELECT f.file_id, e.line,
                          -- one message per line: the first column in error says it (a
                          -- line too long has no column, and is described in Python)
                          arg_min(e.error_type || ': ' || e.error_message, coalesce(e.column_idx, -1)),
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
    """Fill ``stg_gap`` with the lines of each file that are not staged rows, so that every
    line is a row, a reject or a blank line.

    The CSV reader skips blank lines without a trace, and a line far too long for it
    (hundreds of MB) too, so each file's lines are counted (a fast byte count); only a file
    whose count differs is searched for blank and too-long lines, and a too-long line the
    reader left out goes to ``stg_reject`` as the ones it reported do.
    """
    _describe_long_rejects(con)
    counts = dict(
        con.execute(
            """SELECT f.file_id, f.rows + 1 + count(r.line)
               FROM stg_file f LEFT JOIN stg_reject r USING (file_id) GROUP BY f.file_id, f.rows"""
        ).fetchall()
    )
    notes, blanks, dropped = [], [], []
    for file_id, source in enumerate(files):
        lines = count_lines(source.path)
        if lines == counts[file_id]:
            continue
        scan = scan_lines(source.path)
        rejected = {
            line
            for (line,) in con.execute(
                "SELECT line FROM stg_reject WHERE file_id = ?", [file_id]
            ).fetchall()
        }
        long = [found for found in scan.long if found.line not in rejected]
        dropped += [(file_id, x.line, too_long_reason(x.length), x.head) for x in long]
        blanks += [(file_id, line) for line in scan.blank]
        if lines - len(scan.blank) - len(long) != counts[file_id]:
            notes.append(
                f"{source.name}: some rows span several lines (a quoted field with a line "
                "break), so line numbers after the first such row may be too small."
            )
    if dropped:
        con.executemany("INSERT INTO stg_reject VALUES (?, ?, ?, ?)", dropped)
    con.execute("CREATE OR REPLACE TEMP TABLE stg_gap AS SELECT file_id, line FROM stg_reject")
    if blanks:
        con.executemany("INSERT INTO stg_gap VALUES (?, ?)", blanks)
    return notes


def _describe_long_rejects(con: duckdb.DuckDBPyConnection) -> None:
    """Give the lines the reader refused as too long the same reason, and the same kept
    start, as those it left out (``too_long_reason``)."""
    found = con.execute(
        r"""SELECT file_id, line, regexp_extract(reason, 'Actual Size:\s*(\d+)', 1)
           FROM stg_reject WHERE starts_with(reason, 'LINE SIZE OVER MAXIMUM')"""
    ).fetchall()
    if not found:
        return
    con.executemany(
        f"UPDATE stg_reject SET reason = ?, raw = left(raw, {KEPT_CHARS}) WHERE file_id = ? AND line = ?",
        [
            [too_long_reason(int(size or MAX_LINE_BYTES + 1)), file_id, line]
            for file_id, line, size in found
        ],
    )


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
