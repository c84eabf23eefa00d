-- peel warehouse, events: crimes (and anti-social behaviour), outcomes, arrests.
--
-- The big event tables have no PRIMARY KEY constraint: DuckDB's index would slow bulk loads
-- several-fold. Each loader keeps keys unique by replacing rows with the same key inside its
-- batch transaction (tests check there are no duplicates after reloads).
--
-- crime_key and source_record_id are stored uncompressed: source ids are mostly unique
-- hashes (police.uk's are 64 hex characters), and compressing them was the largest single
-- cost of writing a crime or an outcome (~0.3 CPU s per million values, bench/ingest.py).
-- The price is disk: compressed they take about half the space (2.1 million police.uk rows:
-- 323 MB warehouse file instead of 164 MB).

-- A crime or an anti-social behaviour report, as recorded.
CREATE TABLE IF NOT EXISTS crime (
    crime_key         VARCHAR USING COMPRESSION uncompressed NOT NULL,  -- source_system || ':' || source_record_id
    source_system     VARCHAR NOT NULL,
    source_record_id  VARCHAR USING COMPRESSION uncompressed NOT NULL,  -- police.uk Crime ID; for ASB (no id) month:file-ordinal
    batch_id          BIGINT NOT NULL,
    month             DATE NOT NULL,     -- first day of the month it was recorded
    recorded_date     DATE,              -- exact date recorded, where the source has it
    force             VARCHAR,           -- police.uk 'Falls within'
    reported_by       VARCHAR,
    longitude         DOUBLE,
    latitude          DOUBLE,
    location          VARCHAR,
    lsoa_code         VARCHAR,           -- neighbourhood (area.level = 'neighbourhood')
    lsoa_name         VARCHAR,
    district_code     VARCHAR,           -- area.level = 'district'
    crime_type        VARCHAR NOT NULL,  -- police.uk crime type wording
    crime_subtype     VARCHAR,           -- Home Office class where known, e.g. 'Residential burglary'
    offence_code      VARCHAR,           -- Home Office offence code where known
    last_outcome      VARCHAR,           -- police.uk 'Last outcome category' as published
    context           VARCHAR
);

-- An outcome assigned to a crime. A crime can have several.
CREATE TABLE IF NOT EXISTS outcome (
    crime_key         VARCHAR USING COMPRESSION uncompressed NOT NULL,
    source_system     VARCHAR NOT NULL,
    source_record_id  VARCHAR USING COMPRESSION uncompressed NOT NULL,  -- the crime's id in the source
    batch_id          BIGINT NOT NULL,
    month             DATE NOT NULL,     -- first day of the month the outcome was assigned
    outcome_date      DATE,              -- exact date, where the source has it
    outcome_type      VARCHAR NOT NULL,  -- wording as published
    outcome_group     VARCHAR NOT NULL,  -- Home Office outcome group, from the mapping file
    ho_outcome_code   VARCHAR,           -- Home Office outcome number(s), e.g. '1', '2-3'
    is_positive       BOOLEAN,           -- positive ("solved") outcome; NULL when unmapped
    flagged           VARCHAR            -- why a person should look at it (e.g. new wording)
);

-- An arrest, linked to the crime it was for where known.
CREATE TABLE IF NOT EXISTS arrest (
    arrest_key        VARCHAR NOT NULL,
    source_system     VARCHAR NOT NULL,
    source_record_id  VARCHAR NOT NULL,
    batch_id          BIGINT NOT NULL,
    arrest_date       DATE NOT NULL,
    crime_key         VARCHAR,           -- the crime the arrest was for
    crime_type        VARCHAR,           -- offence type arrested for (police.uk wording)
    crime_subtype     VARCHAR,
    district_code     VARCHAR
);
