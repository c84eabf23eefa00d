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
        cursor = con.execute(f"SELECT * FROM {quote_identifier(table)} WHERE {quote_identifier(spec.key)} "
                             "IN (SELECT unnest(?))", [sorted(keys)])
        names = [d[0] for d in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values))
            rows[(table, row[spec.key])] = row
    people = [key for table, key in rows if table == "person_record"]
    if people:
        for key, link_type, to_key in con.execute(
                "SELECT from_key, link_type, to_key FROM pole_link WHERE from_kind = 'person_record' "
                "AND from_key IN (SELECT unnest(?)) AND link_type IN (SELECT unnest(?)) ORDER BY ALL",
                [people, list(PERSON_LINKS)]).fetchall():
            rows[("person_record", key)].setdefault("_links", []).append((link_type, to_key))
    return rows


def _fetch_linkage(con: duckdb.DuckDBPyConnection, keys: set[str]) -> dict[Ref, dict]:
    by_run: dict[int, list[str]] = defaultdict(list)
    for key in keys:
        run, _, record_key = key.partition(":")
        by_run[int(run)].append(record_key)
    rows = {}
    for run, record_keys in by_run.items():
        for record_key, entity, p, at in con.execute(
                "SELECT e.record_key, e.entity_id, e.link_probability, r.finished_at "
                "FROM linkage_entity e JOIN linkage_run r USING (run_id) "
                "WHERE e.run_id = ? AND e.record_key IN (SELECT unnest(?))", [run, record_keys]).fetchall():
            rows[(LINKAGE, f"{run}:{record_key}")] = {"run_id": run, "record_key": record_key,
                                                      "entity_id": entity, "link_probability": p,
                                                      "finished_at": at}
    return rows


def pair_key(run_id: int, record_key_l: str, record_key_r: str) -> str:
    return f"{run_id}|{record_key_l}|{record_key_r}"


def _fetch_pairs(con: duckdb.DuckDBPyConnection, keys: set[str]) -> dict[Ref, dict]:
    wanted = [key.split("|") for key in keys]
    if any(len(parts) != 3 or not parts[0].isdigit() for parts in wanted):
        return {}  # a malformed key names no pair: the statement's source is missing
    rows = {}
    for run, left, right, p, decision, at in con.execute(
            "SELECT p.run_id, p.record_key_l, p.record_key_r, p.match_probability, p.decision, r.finished_at "
            "FROM linkage_pair p JOIN linkage_run r USING (run_id) "
            "JOIN (SELECT unnest(?) AS run_id, unnest(?) AS record_key_l, unnest(?) AS record_key_r) w "
            "USING (run_id, record_key_l, record_key_r)",
            [[int(w[0]) for w in wanted], [w[1] for w in wanted], [w[2] for w in wanted]]).fetchall():
        rows[(PAIR, pair_key(run, left, right))] = {"run_id": run, "record_key_l": left, "record_key_r": right,
                                                    "match_probability": p, "decision": decision,
                                                    "finished_at": at}
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
