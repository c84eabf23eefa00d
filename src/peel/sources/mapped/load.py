"""Load a force's person extract (CSV or Parquet) into the warehouse through its mapping
(``mapping.py``: which columns hold which ``person_record`` field, how the source writes
dates, which events, vehicles and addresses its rows point to).

One extract is one ingest batch: person records, events, vehicles and POLE links commit
together or not at all. A row that cannot be read (wrong number of fields, no record id, no
name at all...) goes to ``quarantine`` with its file, line and reason; a file that lacks a
column the mapping names fails before anything is written, naming the column and the file.
The work is done in DuckDB SQL so that a million rows load in seconds.

The steps, one module each: ``files`` (read the extract), ``stage`` (normalise its rows),
``checks`` (refuse and quarantine), ``write`` (person records, events, vehicles, links).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb

from peel.casebook import PURPOSE, Action, Domain, Operation, Request, processing
from peel.sources.mapped import write
from peel.sources.mapped.checks import clear_earlier_quarantine, write_quarantine
from peel.sources.mapped.files import read_extract
from peel.sources.mapped.mapping import Mapping, check_for_ingest, read_mapping
from peel.sources.mapped.stage import stage_rows
from peel.warehouse import open_batch, open_writer
from peel.warehouse.lookups import lookups_made_after


def load_mapped(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    mapping: Mapping | Path | str,
    snapshot: bool = False,
    name: str | None = None,
) -> dict:
    """Load one extract through its mapping as one ingest batch; return what was loaded.

    Rows already loaded from the same source system with the same record ids are replaced,
    so loading a newer extract again does not duplicate anything, and the file's earlier
    quarantined rows give way to its rows now. With ``snapshot`` the file is taken to hold
    everything the system has: this source's earlier person records, their links, events,
    vehicles and quarantined rows are removed first. ``name`` is the file as the batch and
    the quarantine record it (default: its path), for a file read from where it was written
    before being moved to where the user will find it.
    """
    path = Path(path)
    name = name or str(path)
    m = mapping if isinstance(mapping, Mapping) else read_mapping(mapping)
    check_for_ingest(m)
    extract = read_extract(path, m)
    shown = con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0]
    con.execute("SET enable_progress_bar = false")  # callers show their own progress
    bulk = write.is_bulk(con, m, len(extract.rows), snapshot)
    try:
        with lookups_made_after(con, *write.get_tables_written(m)) if bulk else contextlib.nullcontext(), \
                open_batch(con, m.source_system, [name]) as batch:
            stage_rows(con, m, extract)
            con.execute(
                "CREATE OR REPLACE TEMP TABLE good AS SELECT * FROM mapped_rows WHERE reason IS NULL"
            )
            clear_earlier_quarantine(con, m, path, snapshot)
            write.replace_earlier(con, m, snapshot)
            write_quarantine(con, m, extract, batch.batch_id, name)
            write.write_person_records(con, m, batch.batch_id)
            links = write.write_events_objects_links(con, m, batch.batch_id)
            loaded = con.execute("SELECT count(*) FROM good").fetchone()[0]
            batch.rows_read = len(extract.rows) + len(extract.unreadable)
            batch.rows_loaded = loaded
            batch.rows_quarantined = batch.rows_read - loaded
            batch.note = f"person extract via mapping {m.path.name}"
            con.execute("DROP TABLE good")
            con.execute("DROP TABLE mapped_rows")
    finally:
        con.execute(f"SET enable_progress_bar = {'true' if shown else 'false'}")
    return {
        "source_system": m.source_system,
        "file": name,
        "batch_id": batch.batch_id,
        "rows_read": batch.rows_read,
        "rows_loaded": batch.rows_loaded,
        "rows_quarantined": batch.rows_quarantined,
        **links,
    }


def collect_mapped(path: Path | str, mapping: Mapping | Path | str, *, acting: str | None,
                   purpose: str | None, snapshot: bool = False) -> dict:
    """``load_mapped`` into a new generation of the warehouse, as the collection of personal
    data it is (DPA 2018 s62): refused, and the refusal logged, unless ``acting`` may collect
    person records and says why; the load logged with its batch, source and row counts."""
    request = Request(Action.COLLECT, "person_record", domain=Domain.LINKAGE, purpose=purpose,
                      must_state=PURPOSE)
    with processing(acting, request, Operation.COLLECTION) as touched, open_writer() as con:
        result = load_mapped(con, path, mapping, snapshot)
        touched.update({key: result[key] for key in ("batch_id", "source_system", "rows_loaded")},
                       file=str(path), snapshot=snapshot)
    return result
