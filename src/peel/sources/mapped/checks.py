"""Row checks for person extracts, and the quarantine of the rows that fail them.

A row is refused when it has no record id, repeats an earlier row's id, has no name at all,
or (when the mapping says what each row is about) names no event; a row the reader could
not read at all (``files.py``) is refused too. Refused rows go to ``quarantine`` with the
file, the line, the reason and the row as read; the rest load.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from peel.sources.mapped.files import Extract
from peel.sources.mapped.mapping import Mapping
from peel.warehouse import clear_quarantine
from peel.warehouse.sql import quote_literal

# Why a row cannot be accepted, checked in this order; the first that applies is recorded.
ROW_CHECKS = [
    (
        "source_record_id IS NULL",
        "no record id in column {record_id}: every row needs its id in the source system",
    ),
    ("n_same_id > 1", "record id repeats an earlier row of this file: ids must be unique"),
    ("forename IS NULL AND surname IS NULL", "no name: expected a forename or a surname"),
    (
        "event_needed AND event_key IS NULL",
        "no event reference in column {event_column}: each row must say which event it is about",
    ),
]


def row_reason_sql(m: Mapping) -> str:
    """SQL over a staged row: why it cannot be accepted, NULL when it can."""
    event_column = (m.event or {}).get("column")
    checks = " ".join(
        f"WHEN {condition} THEN "
        + quote_literal(reason.format(record_id=m.record_id, event_column=event_column))
        for condition, reason in ROW_CHECKS
    )
    return f"CASE {checks} END"


def clear_earlier_quarantine(
    con: duckdb.DuckDBPyConnection, m: Mapping, path: Path, snapshot: bool
) -> None:
    """Remove the file's rows earlier loads quarantined (a snapshot: all of the source's)."""
    clear_quarantine(con, m.source_system, None if snapshot else [str(path)])


def write_quarantine(
    con: duckdb.DuckDBPyConnection, m: Mapping, extract: Extract, batch_id: int, file: str
) -> None:
    """Keep every refused row, the unreadable ones first, with ``file`` (the extract's name),
    line, reason and raw."""
    if extract.unreadable:
        con.executemany(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?)",
            [
                [batch_id, m.source_system, file, line, reason, raw]
                for line, reason, raw in extract.unreadable
            ],
        )
    con.execute(
        "INSERT INTO quarantine SELECT ?, ?, ?, line, reason, raw FROM mapped_rows "
        "WHERE reason IS NOT NULL",
        [batch_id, m.source_system, file],
    )
