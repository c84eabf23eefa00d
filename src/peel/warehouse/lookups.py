"""Indexes on the key columns intelligence packs look up (``peel.intel.records``), made when a
load publishes its generation.

A pack reads a few hundred rows of the person tables by key: a person's records, their POLE
links, the events they are in, the other persons in those events and at those addresses, their
entities and the pairs linkage scored. Without an index each lookup reads the whole table (on
the million-record demo, 0.3-0.7 s a lookup and 3-6 s a pack on a busy machine); with these,
tens of milliseconds at most. Packs ask ``key IN (?, ...)`` and nothing more of the table, the
form DuckDB answers from an index.

Made at publication rather than in the schema, so a bulk load into an empty warehouse (the
demo force) writes without them and indexes once at the end, which is several times cheaper
than keeping them up to date row by row. Loads into a warehouse that has them keep them up to
date. The price at the million-record demo (docs/intel.md): 27-33 s to make them once, 449 MB
more file in every generation. crime and arrest (the police.uk tables, loaded in bulk by the
million) get none: see schema/020_events.sql.
"""

from __future__ import annotations

import duckdb

from peel.warehouse.sql import quote_identifier

# (table, column) of every index.
LOOKUP_INDEXES = (
    ("person_record", "record_key"),
    ("person_record", "event_key"),
    ("pole_link", "from_key"),
    ("pole_link", "to_key"),
    ("event", "event_key"),
    ("intel_report", "event_key"),
    ("linkage_entity", "record_key"),
    ("linkage_pair", "record_key_l"),
    ("linkage_pair", "record_key_r"),
)


def drop_lookup_indexes(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Drop the lookup indexes of ``tables`` before a write that adds many rows to them (a
    linkage run writes every record's entity and every scored pair again); the publish makes
    them again once, which is cheaper than keeping them up to date row by row."""
    for table, column in LOOKUP_INDEXES:
        if table in tables:
            con.execute(f"DROP INDEX IF EXISTS {quote_identifier(f'{table}_{column}')}")


def create_lookup_indexes(con: duckdb.DuckDBPyConnection) -> None:
    """Make every index of ``LOOKUP_INDEXES`` the warehouse does not have yet."""
    for table, column in LOOKUP_INDEXES:
        con.execute(f"CREATE INDEX IF NOT EXISTS {quote_identifier(f'{table}_{column}')} "
                    f"ON {quote_identifier(table)} ({quote_identifier(column)})")
