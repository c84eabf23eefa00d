-- peel warehouse, linkage: persons resolved into entities, the evidence for every link,
-- human review decisions, and the links from entities to addresses, vehicles and events.
-- Written by `peel link` (src/peel/linkage/warehouse_run.py), one run at a time, each run in
-- one transaction.

CREATE SEQUENCE IF NOT EXISTS linkage_run_seq START 1;
CREATE SEQUENCE IF NOT EXISTS linkage_entity_seq START 1;

-- One row per linkage run: what ran, on what, with which model and threshold.
CREATE TABLE IF NOT EXISTS linkage_run (
    run_id             BIGINT PRIMARY KEY,
    started_at         TIMESTAMP NOT NULL,
    finished_at        TIMESTAMP NOT NULL,
    backend            VARCHAR NOT NULL,     -- 'duckdb' or 'spark'
    records            BIGINT NOT NULL,
    entities           BIGINT NOT NULL,
    scored_pairs       BIGINT NOT NULL,
    match_threshold    DOUBLE NOT NULL,      -- pairs at or above it join one entity
    prior              DOUBLE NOT NULL,      -- estimated share of record pairs that match
    review_decisions   BIGINT NOT NULL,      -- human decisions applied in this run
    model_json         VARCHAR NOT NULL,     -- the trained Splink model (m, u, prior, comparisons)
    latest_batch       BIGINT,               -- the newest ingest batch the run saw
    note               VARCHAR
);

-- The entity of every person record in a run. entity_id is stable across runs: a new cluster
-- takes the id of the previous run's entity holding most of its records.
CREATE TABLE IF NOT EXISTS linkage_entity (
    run_id             BIGINT NOT NULL,
    record_key         VARCHAR NOT NULL,
    entity_id          BIGINT NOT NULL,
    link_probability   DOUBLE,               -- best match probability to another record of the entity; NULL when alone
    note               VARCHAR               -- why a record could not be linked, when it could not
);

-- Scored candidate pairs (match probability >= settings.KEEP_PAIRS_ABOVE), with the human
-- decision when there is one (it overrides the model).
CREATE TABLE IF NOT EXISTS linkage_pair (
    run_id             BIGINT NOT NULL,
    record_key_l       VARCHAR NOT NULL,     -- record_key_l < record_key_r
    record_key_r       VARCHAR NOT NULL,
    match_weight       DOUBLE,
    match_probability  DOUBLE NOT NULL,
    decision           VARCHAR               -- 'match', 'non_match' or NULL
);

-- Human review decisions on pairs, kept across runs and applied in every later run.
CREATE TABLE IF NOT EXISTS linkage_review_decision (
    record_key_l       VARCHAR NOT NULL,     -- record_key_l < record_key_r
    record_key_r       VARCHAR NOT NULL,
    decision           VARCHAR NOT NULL,     -- 'match' or 'non_match'
    decided_by         VARCHAR NOT NULL,
    decided_at         TIMESTAMP NOT NULL,
    reason             VARCHAR,
    run_id             BIGINT,               -- the run whose pair was reviewed
    PRIMARY KEY (record_key_l, record_key_r)
);

-- Links from person entities to addresses, vehicles and events (who lives where, who drives
-- what, who was involved in which event and how), aggregated over the entity's records.
CREATE TABLE IF NOT EXISTS linkage_entity_link (
    run_id             BIGINT NOT NULL,
    entity_id          BIGINT NOT NULL,
    link_type          VARCHAR NOT NULL,     -- 'resides_at', 'drives', 'victim', 'suspect', ...
    to_kind            VARCHAR NOT NULL,     -- 'address', 'vehicle', 'crime', 'arrest', 'event'
    to_key             VARCHAR NOT NULL,     -- resolved address / vehicle key, or the event key
    first_seen         DATE,
    last_seen          DATE,
    records            BIGINT NOT NULL,      -- how many source records say so
    source_systems     VARCHAR NOT NULL
);

-- Person entities that appear together in one event ("who appears with whom").
CREATE TABLE IF NOT EXISTS linkage_association (
    run_id             BIGINT NOT NULL,
    entity_id_a        BIGINT NOT NULL,      -- entity_id_a < entity_id_b
    entity_id_b        BIGINT NOT NULL,
    events             BIGINT NOT NULL,
    event_keys         VARCHAR[]
);

-- Addresses and vehicles resolved to one key each: the same address written differently
-- (case, spacing) or the same registration mark with spaces is one thing.
CREATE TABLE IF NOT EXISTS linkage_object_key (
    run_id             BIGINT NOT NULL,
    kind               VARCHAR NOT NULL,     -- 'address' or 'vehicle'
    source_key         VARCHAR NOT NULL,     -- as the source linked it (pole_link.to_key)
    resolved_key       VARCHAR NOT NULL
);
