-- peel warehouse, Clare's Law (the Domestic Violence Disclosure Scheme): the applications a
-- force's public-protection system holds, one row per application, with the date of every
-- stage it reached. Cases worked in peel itself live in the casebook (peel.dvds.cases); this
-- table is the force's history, which the figures and the Home Office return count.

CREATE TABLE IF NOT EXISTS dvds_application (
    application_key     VARCHAR NOT NULL,  -- source_system || ':' || source_record_id
    source_system       VARCHAR NOT NULL,
    source_record_id    VARCHAR NOT NULL,
    batch_id            BIGINT NOT NULL,
    route               VARCHAR NOT NULL,  -- 'right_to_ask' or 'right_to_know'
    origin              VARCHAR NOT NULL,  -- 'applicant', 'third_party', 'police_information', 'recognition'
    district_code       VARCHAR,
    first_contact       DATE NOT NULL,     -- the request (Right to Ask) or the information (Right to Know)
    checks_done         DATE,              -- initial contact and checks completed
    became_case         BOOLEAN NOT NULL,  -- the checks found enough to take it on as a case
    face_to_face        DATE,
    risk_assessed       DATE,
    decided             DATE,              -- the multi-agency decision
    decision            VARCHAR,           -- 'disclose', 'no_disclosure', 'withdrawn'; NULL while open
    disclosed           DATE,              -- when the disclosure was made
    safety_plan         DATE,
    closed              DATE,              -- NULL while open
    breach_reason       VARCHAR            -- why a case took more than 28 days, when it did
);

-- The subject (a person record key) when the force's extract names one (peel dvds load, which
-- refuses an application about a person the warehouse does not hold); the demo's history has none.
ALTER TABLE dvds_application ADD COLUMN IF NOT EXISTS subject_ref VARCHAR;
