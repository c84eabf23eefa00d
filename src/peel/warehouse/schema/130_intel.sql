-- peel warehouse, intelligence: the content and handling grading of intelligence reports, and
-- public events (matches, festivals, protests) that event risk assessments draw on.

-- An intelligence report's grading under the 3x5x2 system and its text. One row per report;
-- the report itself (date, district) is its row in event (event_type 'intelligence').
CREATE TABLE IF NOT EXISTS intel_report (
    event_key                VARCHAR NOT NULL,  -- event.event_key of the report
    source_system            VARCHAR NOT NULL,
    source_record_id         VARCHAR NOT NULL,
    batch_id                 BIGINT NOT NULL,
    report_date              DATE,
    source_evaluation        VARCHAR NOT NULL,  -- '1' reliable, '2' untested, '3' not reliable
    intelligence_assessment  VARCHAR NOT NULL,  -- 'A' known directly .. 'E' suspected to be false
    handling_code            VARCHAR NOT NULL,  -- 'P' lawful sharing permitted, 'C' conditions apply
    handling_conditions      VARCHAR,           -- the conditions, when the code is 'C'
    report_text              VARCHAR            -- free text as the source wrote it (personal data)
);

-- A public event the force policed: a football match, a festival, a protest.
CREATE TABLE IF NOT EXISTS public_event (
    event_key          VARCHAR NOT NULL,  -- source_system || ':' || source_record_id
    source_system      VARCHAR NOT NULL,
    source_record_id   VARCHAR NOT NULL,
    batch_id           BIGINT NOT NULL,
    event_kind         VARCHAR NOT NULL,  -- 'football match', 'festival', 'protest'
    name               VARCHAR NOT NULL,  -- e.g. 'Chalk Town v Brackenholt Rovers'
    venue              VARCHAR NOT NULL,
    district_code      VARCHAR,
    event_date         DATE NOT NULL,
    attendance         INTEGER,           -- as counted on the day
    participants       VARCHAR[]          -- teams, organisers or groups taking part
);
