-- peel warehouse: police.uk outcome wordings mapped to Home Office outcome groups.
-- Filled from src/peel/sources/mappings/police_uk_outcomes.csv by sync_outcome_mapping()
-- on every ingest, so SQL measures can join outcome.outcome_type to it.

CREATE TABLE IF NOT EXISTS outcome_mapping (
    outcome_type     VARCHAR PRIMARY KEY,  -- police.uk wording, exactly as published
    outcome_group    VARCHAR NOT NULL,     -- Home Office outcome group
    ho_outcome_code  VARCHAR,              -- Home Office outcome number(s), e.g. '1', '2-3', '14-16'
    is_positive      BOOLEAN NOT NULL,     -- positive ("solved") outcome
    explanation      VARCHAR
);

-- Which police.uk outcomes file (month and force) each loaded outcome came from. The
-- outcome table has no force column, and reloading a month's outcomes file for one force
-- must replace exactly the rows that file loaded before: not another force's same month.
CREATE TABLE IF NOT EXISTS police_uk_outcome_origin (
    crime_key   VARCHAR NOT NULL,
    month       DATE NOT NULL,      -- the outcomes file's month
    force_code  VARCHAR NOT NULL,   -- area_code of the force ('Falls within', slugged)
    batch_id    BIGINT NOT NULL
);
