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
date, unless they replace a large share of a table (``lookups_made_after``, ``REBUILD_SHARE``). The price at the million-record demo (docs/intel.md): 27-33 s to make them once, 449 MB
more file in every generation. crime and arrest (the police.uk tables, loaded in bulk by the
million) get none: see schema/020_events.sql.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

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


def drop_lookup_indexes(con: duckdb.DuckDBPyConnection, *tables: str) -> list[tuple[str, str]]:
    """Drop the lookup indexes of ``tables`` the warehouse has, before a write that adds many
    rows to them (a linkage run writes every record's entity and every scored pair again);
    return the (table, column) of those dropped. The publish makes every missing one again."""
    existing = {name for (name,) in con.execute(
        "SELECT index_name FROM duckdb_indexes() WHERE database_name = current_database()").fetchall()}
    dropped = [(table, column) for table, column in LOOKUP_INDEXES
               if table in tables and get_index_name(table, column) in existing]
    for table, column in dropped:
        con.execute(f"DROP INDEX {quote_identifier(get_index_name(table, column))}")
    return dropped


def create_lookup_indexes(con: duckdb.DuckDBPyConnection,
                          indexes: Iterable[tuple[str, str]] = LOOKUP_INDEXES) -> None:
    """Make every index of ``indexes`` (default all of ``LOOKUP_INDEXES``) the warehouse does not have yet."""
    for table, column in indexes:
        con.execute(f"CREATE INDEX IF NOT EXISTS {quote_identifier(get_index_name(table, column))} "
                    f"ON {quote_identifier(table)} ({quote_identifier(column)})")


# A load that deletes and writes at least this share of a table's rows drops its lookup
# indexes and makes them again after, rather than updating them row by row. Measured on the
# million-record demo (docs/warehouse.md, bench/warehouse_reload.py): updating costs about
# 0.3 ms a person record replaced (with its links), almost all of it when the load commits
# its deletions; making person_record's and pole_link's four indexes again about 9 s. They
# break even near 3% of the table (the custody reload, 4.8% counting the rows it deletes and
# those it writes, took 7.8 s updating against 9.1 s remade).
REBUILD_SHARE = 0.05


def worth_remaking(rows_changed: int, table_rows: int) -> bool:
    """Whether a load deleting and writing ``rows_changed`` rows of a table of ``table_rows``
    should drop its lookup indexes and make them again after (see ``REBUILD_SHARE``)."""
    return table_rows > 0 and rows_changed >= REBUILD_SHARE * table_rows


@contextlib.contextmanager
def lookups_made_after(con: duckdb.DuckDBPyConnection, *tables: str) -> Iterator[None]:
    """For a bulk write to ``tables`` in the block: drop their lookup indexes first and make
    the same ones again once after it (also when it fails), instead of updating them row by
    row. Dropped before the write's transaction, not inside it: dropped inside, the commit
    still removes every deleted row's entry from them, which is most of the cost."""
    dropped = drop_lookup_indexes(con, *tables)
    try:
        yield
    finally:
        create_lookup_indexes(con, dropped)


def get_index_name(table: str, column: str) -> str:
    return f"{table}_{column}"
