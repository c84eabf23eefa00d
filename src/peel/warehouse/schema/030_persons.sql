-- peel warehouse, persons, objects, other events and typed POLE links.
--
-- person_record holds persons exactly as each source system recorded them, one row per
-- source record, never merged: resolving records into entities is linkage's job
-- (see 040+ linkage tables). Fields are normalised copies; *_raw keeps what the source wrote.

CREATE TABLE IF NOT EXISTS person_record (
    record_key         VARCHAR NOT NULL,  -- source_system || ':' || source_record_id
    source_system      VARCHAR NOT NULL,  -- 'demo_crime_records', 'demo_custody', 'demo_intelligence', 'demo_incidents', ...
    source_record_id   VARCHAR NOT NULL,
    batch_id           BIGINT NOT NULL,
    forename           VARCHAR,
    middle_names       VARCHAR,
    surname            VARCHAR,
    full_name_raw      VARCHAR,           -- the name as written, when the source has one field
    date_of_birth      DATE,              -- parsed; NULL when missing or unparseable
    date_of_birth_raw  VARCHAR,
    sex                VARCHAR,           -- 'M', 'F', 'U'
    house_number       VARCHAR,
    street             VARCHAR,
    town               VARCHAR,
    postcode           VARCHAR,           -- normalised: upper case, single space before inward code
    address_raw        VARCHAR,
    phone              VARCHAR,           -- digits only, UK national form (07...)
    email              VARCHAR,           -- lower case
    pnc_id             VARCHAR,           -- Police National Computer id, where the source has one
    role               VARCHAR,           -- 'victim', 'suspect', 'arrestee', 'subject', 'caller', 'witness'
    event_key          VARCHAR,           -- the event this record was taken from (crime_key, arrest_key, event_key)
    recorded_date      DATE               -- when the source recorded it
);

-- Events other than crimes, outcomes and arrests: command-and-control incidents,
-- intelligence reports, and later applications, alerts, deployments.
CREATE TABLE IF NOT EXISTS event (
    event_key          VARCHAR NOT NULL,  -- source_system || ':' || source_record_id
    event_type         VARCHAR NOT NULL,  -- 'incident', 'intelligence', ...
    source_system      VARCHAR NOT NULL,
    source_record_id   VARCHAR NOT NULL,
    batch_id           BIGINT NOT NULL,
    event_date         DATE,
    district_code      VARCHAR,
    lsoa_code          VARCHAR,
    category           VARCHAR,           -- e.g. incident type, intelligence grading
    summary            VARCHAR            -- free text as the source wrote it (may hold personal data)
);

-- Objects: vehicles, phones, firearms. identifier is normalised (a vehicle registration mark
-- upper case without spaces); identifier_raw is as written.
CREATE TABLE IF NOT EXISTS object (
    object_key         VARCHAR NOT NULL,
    kind               VARCHAR NOT NULL,  -- 'vehicle', 'phone', 'firearm'
    identifier         VARCHAR,
    identifier_raw     VARCHAR,
    description        VARCHAR,
    source_system      VARCHAR NOT NULL,
    source_record_id   VARCHAR NOT NULL,
    batch_id           BIGINT NOT NULL
);

-- Typed links between POLE things as a source recorded them, e.g.
-- (person_record, 'victim', event) or (person_record, 'drives', object) or
-- (person_record, 'resides_at', address). kinds: 'person_record', 'object', 'event', 'crime',
-- 'arrest', 'address', 'area'.
CREATE TABLE IF NOT EXISTS pole_link (
    from_kind          VARCHAR NOT NULL,
    from_key           VARCHAR NOT NULL,
    link_type          VARCHAR NOT NULL,
    to_kind            VARCHAR NOT NULL,
    to_key             VARCHAR NOT NULL,
    valid_from         DATE,
    valid_to           DATE,
    source_system      VARCHAR NOT NULL,
    source_record_id   VARCHAR,
    batch_id           BIGINT NOT NULL
);
