"""Load data.police.uk street and outcomes files into the warehouse.

Input is any mix of CSV files, folders of monthly CSVs (nested month folders too) and the
zip archive the site serves. The work is done in DuckDB SQL, not row by row in Python:
each file is read once into a staging table (that is where the line numbers come from),
every check is a SQL expression, and the good rows are written with INSERT ... SELECT.

One call is one batch (``open_batch``): rows that fail a check go to ``quarantine`` with
file, line and reason, the rest load; anything that makes a whole file unreadable (wrong
header, truncated last line) fails the batch and leaves the warehouse as it was.

The steps, one module each: ``files`` (find the files), ``stage`` (read them into
staging), ``checks`` (row checks and quarantine), ``write`` (crimes, outcomes, areas).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from peel.sources.outcomes import sync_outcome_mapping
from peel.sources.police_uk.checks import check_rows, problems, write_quarantine
from peel.sources.police_uk.files import SOURCE_SYSTEM, IngestError, SourceFile, collect_files
from peel.sources.police_uk.stage import (
    refuse_overlapping_files,
    refuse_truncated_files,
    stage_files,
)
from peel.sources.police_uk.write import write_areas, write_crimes, write_outcomes
from peel.sources.scratch import remove_abandoned, scratch_folder
from peel.warehouse import open_batch


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


# progress(done, total, file_name), called as files are read
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
    remove_abandoned()  # what a killed load unpacked
    with contextlib.ExitStack() as stack:

        @functools.cache
        def workdir() -> Path:  # a zip's files are unpacked here; made for the first zip
            return stack.enter_context(scratch_folder("police-uk"))

        files, notes = collect_files(paths, workdir)
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

        result.rows_quarantined, result.problems = problems(con, refused=True)
        if strict and result.rows_quarantined:
            raise IngestError(
                f"--strict: {result.rows_quarantined} row(s) failed checks, so nothing was loaded. "
                + "; ".join(result.problems)
                + ". Fix those rows, or load without --strict to quarantine them and load the rest."
            )
        result.rows_flagged, flags = problems(con, refused=False)
        result.problems += flags
        result.rows_read = con.execute(
            "SELECT sum(rows) + (SELECT count(*) FROM stg_reject) FROM stg_file"
        ).fetchone()[0]
        write_quarantine(con, batch.batch_id, names)
        crimes, superseded = write_crimes(con, batch.batch_id)
        outcomes = write_outcomes(con, batch.batch_id)
        write_areas(con, batch.batch_id)
        _check_every_row_counted(result, crimes + outcomes, superseded)
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


def _check_every_row_counted(result: IngestResult, loaded: int, superseded: int) -> None:
    """Refuse a load in which a row read is neither loaded, quarantined nor superseded by a
    later file's row: no row may go missing without a word."""
    accounted = loaded + result.rows_quarantined + superseded
    if accounted != result.rows_read:
        raise IngestError(
            f"{result.rows_read:,} rows were read but {loaded:,} loaded, {result.rows_quarantined:,} "
            f"quarantined and {superseded:,} superseded account for {accounted:,}: some rows would "
            "be lost, so nothing was loaded. Report this with the files, which peel could not read "
            "as it should."
        )


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
