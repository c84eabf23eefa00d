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
