"""Writing a person extract's accepted rows to the warehouse: person records, the events
and vehicles they point to, and the typed links between them (POLE: person, object,
location, event).

Runs inside the load's batch, over the temp table ``good`` (the staged rows without a
reason). A reload replaces what earlier loads wrote for the same records; a snapshot
replaces everything the source wrote before.
"""

from __future__ import annotations

import duckdb

from peel.sources.mapped.mapping import Mapping
from peel.warehouse.lookups import worth_remaking
from peel.warehouse.sql import quote_literal


def get_tables_written(m: Mapping) -> tuple[str, ...]:
    """The tables a load through ``m`` writes: person records and their links, and the
    events its rows point to when they are warehouse events (vehicles go to object)."""
    return ("person_record", "pole_link") + (("event",) if m.event and m.event["kind"] == "event" else ())


def is_bulk(con: duckdb.DuckDBPyConnection, m: Mapping, rows: int, snapshot: bool) -> bool:
    """Whether loading ``rows`` rows through ``m`` replaces enough of person_record that its
    lookup indexes are cheaper made again than updated (``peel.warehouse.lookups``): the rows
    it writes, and those of the source it deletes (all of them for a snapshot, at most as many
    as it writes for a reload)."""
    earlier, total = con.execute(
        "SELECT count(*) FILTER (WHERE source_system = ?), count(*) FROM person_record", [m.source_system]).fetchone()
    return worth_remaking(rows + (earlier if snapshot else min(earlier, rows)), total)


def replace_earlier(con: duckdb.DuckDBPyConnection, m: Mapping, snapshot: bool) -> None:
    """Remove what earlier loads wrote for these records, so a reload replaces them; for a
    snapshot, everything earlier loads of this source wrote (the file is all it holds)."""
    s = quote_literal(m.source_system)
    scope = "" if snapshot else "AND source_record_id IN (SELECT source_record_id FROM good)"
    con.execute(f"DELETE FROM person_record WHERE source_system = {s} {scope}")
    con.execute(
        f"DELETE FROM pole_link WHERE source_system = {s} AND from_kind = 'person_record' {scope}"
    )
    if snapshot and m.event and m.event["kind"] == "event":
        con.execute(
            f"DELETE FROM event WHERE source_system = {s} "
            f"AND event_type = {quote_literal(m.event['event_type'])}"
        )
    if snapshot and m.vehicles:
        con.execute(f"DELETE FROM object WHERE source_system = {s} AND kind = 'vehicle'")


def write_person_records(con: duckdb.DuckDBPyConnection, m: Mapping, batch_id: int) -> None:
    """Write the accepted rows as person records, keyed '<source_system>:<record id>'."""
    s, key = quote_literal(m.source_system), quote_literal(f"{m.source_system}:")
    con.execute(f"""
        INSERT INTO person_record
        SELECT {key} || source_record_id, {s}, source_record_id, {batch_id}, forename,
               middle_names, surname, full_name_raw, date_of_birth, date_of_birth_raw, sex,
               house_number, street, town, postcode, address_raw, phone, email, pnc_id, role,
               event_key, recorded_date
        FROM good
    """)


def write_events_objects_links(con: duckdb.DuckDBPyConnection, m: Mapping, b: int) -> dict:
    """Write the events, vehicles and typed links the person rows point to; return counts."""
    s, key = quote_literal(m.source_system), quote_literal(f"{m.source_system}:")
    ev = m.event or {}
    out = {"events": 0, "objects": 0, "links": 0}
    if ev.get("kind") == "event":
        con.execute(
            f"DELETE FROM event WHERE source_system = {s} "
            "AND event_key IN (SELECT event_key FROM good)"
        )
        out["events"] = con.execute(f"""
            INSERT INTO event
            SELECT event_key, {quote_literal(ev["event_type"])}, {s},
                   substr(event_key, {len(ev.get("key_prefix", "")) + 1}), {b}, min(event_date),
                   min(district_code), min(lsoa_code), min(category), min(summary)
            FROM good GROUP BY event_key
        """).fetchone()[0]
    link_sql = []
    if ev:
        link_sql.append(f"""
            SELECT 'person_record', {key} || source_record_id, role, {quote_literal(ev["kind"])},
                   event_key, recorded_date, NULL::DATE, {s}, source_record_id, {b}
            FROM good WHERE event_key IS NOT NULL""")
    # An address is identified by its postcode and house number (or street when unnumbered).
    link_sql.append(f"""
        SELECT 'person_record', {key} || source_record_id, 'resides_at', 'address',
               postcode || ' / ' || coalesce(house_number, street, ''),
               recorded_date, NULL::DATE, {s}, source_record_id, {b}
        FROM good WHERE postcode IS NOT NULL""")
    if m.vehicles:
        separator = quote_literal(m.vehicles.get("separator", ";"))
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE mentioned AS
            SELECT source_record_id, recorded_date, trim(v) AS raw,
                   upper(regexp_replace(v, '[^A-Za-z0-9]', '', 'g')) AS vrm
            FROM good, unnest(string_split(vehicles, {separator})) AS t(v)
            WHERE vehicles IS NOT NULL AND trim(v) <> ''
        """)
        con.execute(f"""DELETE FROM object WHERE source_system = {s}
                        AND source_record_id IN (SELECT source_record_id FROM mentioned)""")
        out["objects"] = con.execute(f"""
            INSERT INTO object
            SELECT 'vehicle:' || vrm, 'vehicle', vrm, raw, NULL, {s}, source_record_id, {b}
            FROM mentioned
        """).fetchone()[0]
        link_sql.append(f"""
            SELECT 'person_record', {key} || source_record_id, 'drives', 'object',
                   'vehicle:' || vrm, recorded_date, NULL::DATE, {s}, source_record_id, {b}
            FROM mentioned""")
    links = con.execute("INSERT INTO pole_link " + " UNION ALL ".join(link_sql)).fetchone()
    out["links"] = links[0]
    if m.vehicles:
        con.execute("DROP TABLE mentioned")
    return out
