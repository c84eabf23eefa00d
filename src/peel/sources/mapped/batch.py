"""Loading a domain's extract all or nothing, as one ingest batch: the bookkeeping every
such loader shares, so that each says only how its rows are staged and written.

The extract's rows are staged by the loader's SQL into a temp table whose ``line`` and
``refusal`` columns say which rows cannot be loaded and why. Any such row, or any line the
file could not be read at, refuses the whole file and nothing is written; otherwise the
loader writes the staged rows inside the batch, which records how many and how they came.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb

from peel.sources.mapped.files import Extract
from peel.warehouse import open_batch
from peel.warehouse.sql import quote_identifier

Problems = list[tuple[int, str]]  # (line, why it cannot be loaded), in line order
SHOWN = 20  # bad lines listed in a refusal


class ExtractRefused(ValueError):
    """An extract with bad rows: nothing of it was written. ``problems`` holds (line, why),
    and the message lists the first ``SHOWN`` by file and line and says what to do."""

    def __init__(self, file: object, problems: Problems):
        self.file, self.problems = str(file), sorted(problems)
        listed = "\n".join(f"  {file}, line {line}: {why}" for line, why in self.problems[:SHOWN])
        more = f"\n  ... and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
        super().__init__(f"{file}: {len(problems)} bad row(s); nothing was written. Fix them (or the mapping) "
                         f"and load the file again:\n{listed}{more}")


@contextmanager
def load_staged(con: duckdb.DuckDBPyConnection, extract: Extract, *, source_system: str, file: str,
                staged: str, stage_sql: str, note: str, refused: Callable[[Problems], Exception] = ExtractRefused,
                references: dict[str, object] | None = None) -> Iterator:
    """Stage ``extract`` (its rows registered as ``src``, any ``references``, tables DuckDB reads
    such as data frames, under their names)
    into the temp table ``staged`` by ``stage_sql``; raise ``refused(file, problems)``
    (``ExtractRefused`` or a domain's own kind of it) if any row cannot be loaded; otherwise yield the open batch for the caller to write ``staged``'s
    rows, then record them as read and loaded with ``note``. The temp table and the
    registered tables are gone afterwards, whatever happened."""
    registered = {"src": extract.rows, **(references or {})}
    for name, table in registered.items():
        con.register(name, table)
    table = quote_identifier(staged)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {stage_sql}")
        bad = con.execute(f"SELECT line, refusal FROM {table} WHERE refusal IS NOT NULL").fetchall()
        problems = sorted(bad + [(line, why) for line, why, _raw in extract.unreadable])
        if problems:
            raise refused(file, problems)
        with open_batch(con, source_system, [file]) as batch:
            yield batch
            batch.rows_read = batch.rows_loaded = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            batch.rows_quarantined = 0
            batch.note = note
    finally:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        for name in registered:
            con.unregister(name)
