-- peel warehouse, core: ingest batches (provenance), areas, quarantine.
-- Every warehouse row carries source_system, source_record_id and batch_id: where it came
-- from, which record it was there, and which load brought it.

CREATE SEQUENCE IF NOT EXISTS ingest_batch_seq START 1;

-- One row per committed load. A failed load leaves no row (and no data): it rolled back.
CREATE TABLE IF NOT EXISTS ingest_batch (
    batch_id          BIGINT PRIMARY KEY,
    source_system     VARCHAR NOT NULL,   -- e.g. 'police_uk', 'demo_crime_records', 'demo_custody'
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ NOT NULL,
    files             VARCHAR[],          -- the files the batch read, as given
    rows_read         BIGINT,
    rows_loaded       BIGINT,
    rows_quarantined  BIGINT,
    note              VARCHAR
);

-- Rows a load could not accept, kept for a person to inspect: never silently dropped.
CREATE TABLE IF NOT EXISTS quarantine (
    batch_id       BIGINT NOT NULL,
    source_system  VARCHAR NOT NULL,
    file           VARCHAR NOT NULL,
    line           BIGINT,               -- 1-based line in the file, header is line 1
    reason         VARCHAR NOT NULL,     -- what was wrong and what was expected
    raw            VARCHAR               -- the row as read
);

-- Locations at area level: the force, its districts and neighbourhoods (LSOAs).
-- level is 'force', 'district' or 'neighbourhood'; parent_code points one level up.
CREATE TABLE IF NOT EXISTS area (
    area_code       VARCHAR PRIMARY KEY,
    area_name       VARCHAR NOT NULL,
    level           VARCHAR NOT NULL,
    parent_code     VARCHAR,
    longitude       DOUBLE,
    latitude        DOUBLE,
    population      INTEGER,             -- residents, where known (demo force: generated census)
    households      INTEGER,
    hindu_share     DOUBLE,              -- share of residents of Hindu religion, where known
    source_system   VARCHAR NOT NULL,
    source_record_id VARCHAR,
    batch_id        BIGINT NOT NULL
);
