"""The warehouse rows a pack's statements rest on, fetched by reference, and the citation each
gives (system, record id, date).

A reference is ``(table, key)``: a person record, a crime, an arrest, an event, an intelligence
report's grading and text, a public event, or a linkage run's entity membership. Building a pack
and verifying it fetch rows through the same ``fetch``, so a statement can only cite what this
module can read back.

Extension point: a domain that adds events a person is in (firearms applications, Clare's Law
cases) adds its table to ``REF_TABLES`` (key column, date column) and an entry to
``peel.intel.claims.EVENT_DESCRIPTIONS``; the timeline then shows and verifies them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import duckdb

from peel.warehouse.sql import quote_identifier

Ref = tuple[str, str]


@dataclass(frozen=True)
class RefTable:
    key: str  # the column a reference's key is
    date: str  # the column a citation's date is
    system: str = "source_system"
    record_id: str = "source_record_id"


REF_TABLES: dict[str, RefTable] = {
    "person_record": RefTable("record_key", "recorded_date"),
    "crime": RefTable("crime_key", "recorded_date"),
    "arrest": RefTable("arrest_key", "arrest_date"),
    "event": RefTable("event_key", "event_date"),
    "intel_report": RefTable("event_key", "report_date"),
    "public_event": RefTable("event_key", "event_date"),
}
# A linkage run's entity membership: key "RUN:RECORD_KEY"; cited as the linkage run itself.
LINKAGE = "linkage_entity"
LINKAGE_SYSTEM = "peel linkage"
# A pair a linkage run scored (linkage_pair): key "RUN|RECORD_KEY_L|RECORD_KEY_R" (record keys
# hold colons); cited as the linkage run's score of the pair.
PAIR = "linkage_pair"
# The POLE links of person records that statements about addresses and vehicles read.
PERSON_LINKS = ("resides_at", "drives")


class UnknownRefTable(ValueError):
    """A statement cites a table peel cannot read back."""


# Keys are looked up as ``column IN (?, ?, ...)``, nothing else on the same table: a list of
# constants DuckDB answers from the index on the column (peel.warehouse.lookups), where a
# semi-join (``IN (SELECT unnest(?))``) or a second filter on the table (pole_link's from_kind)
# makes it read the whole table. At most LOOKUP_CHUNK keys a statement.
LOOKUP_CHUNK = 1000


def select_by_keys(con: duckdb.DuckDBPyConnection, table: str, column: str, keys,
                   columns: str = "*") -> list[dict]:
    """The rows of ``table`` (``columns`` of them) whose ``column`` is one of ``keys``."""
    keys = sorted(set(keys))
    rows = []
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start:start + LOOKUP_CHUNK]
        cursor = con.execute(f"SELECT {columns} FROM {quote_identifier(table)} WHERE {quote_identifier(column)} "
                             f"IN ({', '.join('?' * len(chunk))})", chunk)
        names = [d[0] for d in cursor.description]
        rows += [dict(zip(names, values)) for values in cursor.fetchall()]
    return rows


def fetch(con: duckdb.DuckDBPyConnection, refs) -> dict[Ref, dict]:
    """The row of every reference that exists (a missing one has no entry). Person records
    carry their POLE links to addresses and vehicles as ``_links`` [(link_type, to_key)]."""
    by_table: dict[str, set[str]] = defaultdict(set)
    for table, key in refs:
        if table not in REF_TABLES and table not in (LINKAGE, PAIR):
            raise UnknownRefTable(f"{table!r} is not a table a statement may cite "
                                  f"(one of {', '.join([*REF_TABLES, LINKAGE, PAIR])}).")
        by_table[table].add(key)
    rows: dict[Ref, dict] = {}
    for table, keys in by_table.items():
        if table in (LINKAGE, PAIR):
            rows |= (_fetch_linkage if table == LINKAGE else _fetch_pairs)(con, keys)
            continue
        spec = REF_TABLES[table]
        rows |= {(table, row[spec.key]): row for row in select_by_keys(con, table, spec.key, keys)}
    people = [key for table, key in rows if table == "person_record"]
    links = select_by_keys(con, "pole_link", "from_key", people, "from_kind, from_key, link_type, to_key")
    for link in sorted(links, key=lambda r: (r["from_key"], r["link_type"], r["to_key"])):
        if link["from_kind"] == "person_record" and link["link_type"] in PERSON_LINKS:
            rows[("person_record", link["from_key"])].setdefault("_links", []).append(
                (link["link_type"], link["to_key"]))
    return rows


def run_finished(con: duckdb.DuckDBPyConnection) -> dict[int, object]:
    """When each linkage run finished: the date a linkage citation gives."""
    return dict(con.execute("SELECT run_id, finished_at FROM linkage_run").fetchall())


def _fetch_linkage(con: duckdb.DuckDBPyConnection, keys: set[str]) -> dict[Ref, dict]:
    wanted = {(int(run), record_key) for run, _, record_key in (key.partition(":") for key in keys)}
    finished = run_finished(con)
    rows = {}
    for r in select_by_keys(con, LINKAGE, "record_key", {k for _, k in wanted},
                            "run_id, record_key, entity_id, link_probability"):
        if (r["run_id"], r["record_key"]) in wanted and r["run_id"] in finished:
            rows[(LINKAGE, f"{r['run_id']}:{r['record_key']}")] = r | {"finished_at": finished[r["run_id"]]}
    return rows


def pair_key(run_id: int, record_key_l: str, record_key_r: str) -> str:
    return f"{run_id}|{record_key_l}|{record_key_r}"


PAIR_COLUMNS = "run_id, record_key_l, record_key_r, match_probability, decision"


def _fetch_pairs(con: duckdb.DuckDBPyConnection, keys: set[str]) -> dict[Ref, dict]:
    wanted = [key.split("|") for key in keys]
    if any(len(parts) != 3 or not parts[0].isdigit() for parts in wanted):
        return {}  # a malformed key names no pair: the statement's source is missing
    wanted = {(int(run), left, right) for run, left, right in wanted}
    finished = run_finished(con)
    rows = {}
    for r in select_by_keys(con, PAIR, "record_key_l", {left for _, left, _ in wanted}, PAIR_COLUMNS):
        if (r["run_id"], r["record_key_l"], r["record_key_r"]) in wanted and r["run_id"] in finished:
            rows[(PAIR, pair_key(r["run_id"], r["record_key_l"], r["record_key_r"]))] = \
                r | {"finished_at": finished[r["run_id"]]}
    return rows


def cite(ref: Ref, row: dict) -> dict:
    """The citation of a fetched row: the system, its record id there, and its date."""
    table = ref[0]
    if table == LINKAGE:
        return {"system": LINKAGE_SYSTEM, "record_id": f"run {row['run_id']}, {row['record_key']}",
                "date": row["finished_at"].date().isoformat()}
    if table == PAIR:
        return {"system": LINKAGE_SYSTEM,
                "record_id": f"run {row['run_id']}, pair {row['record_key_l']} ~ {row['record_key_r']}",
                "date": row["finished_at"].date().isoformat()}
    spec = REF_TABLES[table]
    day = row.get(spec.date)
    return {"system": row[spec.system], "record_id": str(row[spec.record_id]),
            "date": day.isoformat() if day is not None else None}
