-- peel warehouse, lookups by key for intelligence packs (src/peel/intel/records.py).
--
-- A pack reads a few hundred rows of the person tables by key: a person's records, their
-- POLE links, the events they are in, the other persons in those events and at those
-- addresses, their entities and the pairs linkage scored. Without an index each lookup reads
-- the whole table (on the million-record demo, 0.3-0.7 s a lookup and 3-6 s a pack on a busy
-- machine); with these, tens of milliseconds at most. Packs ask `key IN (?, ...)` and nothing
-- more of the table, the form DuckDB answers from an index.
--
-- The price, measured on the million-record demo (990,442 person records, 2.3 million scored
-- pairs; docs/intel.md): 449 MB more file in every generation, 27-33 s to create on an
-- existing warehouse, bulk inserts into these tables 1.2 to 5 times slower, and deleting a
-- source's rows to reload them 25 times slower.
-- crime and arrest (the police.uk tables, loaded in bulk by the million) are left without
-- one: see 020_events.sql.

CREATE INDEX IF NOT EXISTS person_record_record_key ON person_record (record_key);
CREATE INDEX IF NOT EXISTS person_record_event_key ON person_record (event_key);
CREATE INDEX IF NOT EXISTS pole_link_from_key ON pole_link (from_key);
CREATE INDEX IF NOT EXISTS pole_link_to_key ON pole_link (to_key);
CREATE INDEX IF NOT EXISTS event_event_key ON event (event_key);
CREATE INDEX IF NOT EXISTS intel_report_event_key ON intel_report (event_key);
CREATE INDEX IF NOT EXISTS linkage_entity_record_key ON linkage_entity (record_key);
CREATE INDEX IF NOT EXISTS linkage_pair_record_key_l ON linkage_pair (record_key_l);
CREATE INDEX IF NOT EXISTS linkage_pair_record_key_r ON linkage_pair (record_key_r);
