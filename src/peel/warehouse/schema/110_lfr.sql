-- peel warehouse, live facial recognition (agenda item 2): the deployment register, each
-- alert with the officer's adjudication, the deletion evidence, the public-confidence surveys
-- and the advisory and scrutiny groups' reviews.
--
-- peel never matches faces and never stores a face, an image or a biometric template: these
-- tables hold what the vendor's matcher reported (counts, alert times) and what people
-- decided and recorded. Times are TIMESTAMPTZ (an instant); they are planned and shown in UK
-- local time (Europe/London), across the clock changes.

-- One deployment: planned, authorised (a casebook decision), confirmed (published), run.
CREATE TABLE IF NOT EXISTS lfr_deployment (
    deployment_ref        VARCHAR NOT NULL,   -- e.g. 'LFR-2025-014': the public reference
    source_system         VARCHAR NOT NULL,
    source_record_id      VARCHAR NOT NULL,
    batch_id              BIGINT NOT NULL,
    location              VARCHAR NOT NULL,   -- where, as the public notice says it
    location_reason       VARCHAR NOT NULL,   -- why there: 'footfall', 'intelligence'
    district_code         VARCHAR,            -- area.level = 'district'
    starts_at             TIMESTAMPTZ NOT NULL,
    ends_at               TIMESTAMPTZ NOT NULL,
    purpose               VARCHAR NOT NULL,
    authorising_officer   VARCHAR NOT NULL,
    authorising_rank      VARCHAR NOT NULL,
    watchlist_size        INTEGER NOT NULL,
    watchlist_categories  VARCHAR[] NOT NULL, -- e.g. ['wanted on warrant', 'wanted for violence']
    threshold             DOUBLE NOT NULL,    -- the matcher's threshold setting (higher: stricter)
    uniformed_officers    INTEGER,
    plain_clothes_officers INTEGER,
    confirmed_at          TIMESTAMPTZ,        -- published on the public page from this moment
    urgent_reason         VARCHAR,            -- confirmed under 7 days ahead: why, and
    urgent_approver       VARCHAR,            -- who approved it (name and rank)
    cancelled_at          TIMESTAMPTZ,
    faces_seen            BIGINT              -- as the matcher reports; NULL until recorded
);

-- One alert from the matcher, with the officer's adjudication (the human in the loop).
-- subject_ref, and the demographic categories, are personal data: read them through
-- peel.lfr.alerts, which checks the role and logs the purpose.
CREATE TABLE IF NOT EXISTS lfr_alert (
    alert_ref             VARCHAR NOT NULL,
    source_system         VARCHAR NOT NULL,
    source_record_id      VARCHAR NOT NULL,
    batch_id              BIGINT NOT NULL,
    deployment_ref        VARCHAR NOT NULL,
    alerted_at            TIMESTAMPTZ NOT NULL,
    adjudication          VARCHAR NOT NULL,   -- 'true' (the person on the watchlist) or 'false'
    engaged               BOOLEAN NOT NULL,   -- officers spoke to the person
    outcome               VARCHAR NOT NULL,   -- 'arrest', 'other action', 'none'
    offence               VARCHAR,            -- the offence arrested for
    watchlist_category    VARCHAR,            -- the category the matched watchlist entry was in
    ethnicity             VARCHAR,            -- as the force records it (officer-observed)
    sex                   VARCHAR,
    age_band              VARCHAR,
    subject_ref           VARCHAR             -- the watchlist entry's person reference
);

-- Proof of deletion: one row per piece of evidence, with when and who.
CREATE TABLE IF NOT EXISTS lfr_deletion (
    deployment_ref        VARCHAR NOT NULL,
    source_system         VARCHAR NOT NULL,
    source_record_id      VARCHAR NOT NULL,
    batch_id              BIGINT NOT NULL,
    evidence              VARCHAR NOT NULL,   -- 'watchlist destroyed', 'non-matched data deleted'
    recorded_at           TIMESTAMPTZ NOT NULL,
    recorded_by           VARCHAR NOT NULL
);

-- Public-confidence surveys (every 6 months): one row per question of a survey.
CREATE TABLE IF NOT EXISTS lfr_survey (
    survey_ref            VARCHAR NOT NULL,
    source_system         VARCHAR NOT NULL,
    source_record_id      VARCHAR NOT NULL,
    batch_id              BIGINT NOT NULL,
    fieldwork_start       DATE NOT NULL,
    fieldwork_end         DATE NOT NULL,
    question              VARCHAR NOT NULL,
    respondents           INTEGER NOT NULL,   -- who answered this question
    agreeing              INTEGER NOT NULL    -- of whom agreed or strongly agreed
);

-- Reviews by the independent advisory group, the Race Inclusion Board and other scrutiny
-- groups: what they found and how the force responded.
CREATE TABLE IF NOT EXISTS lfr_scrutiny (
    review_ref            VARCHAR NOT NULL,
    source_system         VARCHAR NOT NULL,
    source_record_id      VARCHAR NOT NULL,
    batch_id              BIGINT NOT NULL,
    group_name            VARCHAR NOT NULL,
    review_date           DATE NOT NULL,
    findings              VARCHAR NOT NULL,
    force_response        VARCHAR,
    next_review           DATE
);
