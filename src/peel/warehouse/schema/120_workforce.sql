-- peel warehouse, workforce (agenda item 3): the people of the force, their leadership
-- courses, sickness absence and use of wellbeing services, loaded from the force's HR,
-- learning and wellbeing extracts through declared mappings (src/peel/workforce/mappings);
-- and which crimes had an officer or member of staff as their victim.
-- Each extract is its system's whole table: a load replaces that source system's rows.

-- A person employed by the force: a police officer (by rank) or member of staff (by grade).
CREATE TABLE IF NOT EXISTS staff_member (
    staff_key         VARCHAR NOT NULL,   -- source_system || ':' || source_record_id
    source_system     VARCHAR NOT NULL,
    source_record_id  VARCHAR NOT NULL,   -- the person's staff number in the HR system
    batch_id          BIGINT NOT NULL,
    kind              VARCHAR NOT NULL,   -- 'officer' or 'staff' (from the rank or grade)
    rank_or_grade     VARCHAR NOT NULL,   -- one of src/peel/workforce/ranks.csv, e.g. 'Sergeant'
    role              VARCHAR NOT NULL,   -- what they do, e.g. 'Response', 'Custody'
    team              VARCHAR NOT NULL,
    fte               DOUBLE NOT NULL,    -- full-time equivalent, above 0 and at most 1
    start_date        DATE NOT NULL,      -- joined the force
    leave_date        DATE                -- left it; NULL while in post
);

-- A booking on a leadership course, and its completion.
CREATE TABLE IF NOT EXISTS leadership_course (
    booking_key       VARCHAR NOT NULL,
    source_system     VARCHAR NOT NULL,
    source_record_id  VARCHAR NOT NULL,
    batch_id          BIGINT NOT NULL,
    staff_key         VARCHAR NOT NULL,
    course            VARCHAR NOT NULL,   -- e.g. 'Frontline leadership'
    booked_date       DATE NOT NULL,
    course_date       DATE,               -- the course's first day
    completed_date    DATE                -- NULL until every module is done
);

-- A spell of sickness absence (personal data: read only through workforce.people).
CREATE TABLE IF NOT EXISTS sickness_spell (
    spell_key         VARCHAR NOT NULL,
    source_system     VARCHAR NOT NULL,
    source_record_id  VARCHAR NOT NULL,
    batch_id          BIGINT NOT NULL,
    staff_key         VARCHAR NOT NULL,
    start_date        DATE NOT NULL,      -- first day absent
    end_date          DATE,               -- last day absent; NULL while still absent
    reason            VARCHAR             -- the recorded category, e.g. 'Mental health'
);

-- A person's contact with a wellbeing service (one of src/peel/workforce/services.csv).
CREATE TABLE IF NOT EXISTS wellbeing_contact (
    contact_key       VARCHAR NOT NULL,
    source_system     VARCHAR NOT NULL,
    source_record_id  VARCHAR NOT NULL,
    batch_id          BIGINT NOT NULL,
    staff_key         VARCHAR NOT NULL,
    service           VARCHAR NOT NULL,
    contact_date      DATE NOT NULL
);

-- A crime whose victim was an officer or member of staff on duty (Operation Hampshire):
-- the crime and its outcomes stay in crime and outcome; this says who the victim was, under
-- which law, and, when the crime closed with evidential difficulties (Home Office outcomes
-- 14-16), which of them and the reason the crime record gives.
CREATE TABLE IF NOT EXISTS staff_assault (
    crime_key         VARCHAR NOT NULL,   -- crime.crime_key
    source_system     VARCHAR NOT NULL,
    source_record_id  VARCHAR NOT NULL,
    batch_id          BIGINT NOT NULL,
    staff_key         VARCHAR,            -- the victim, where the record names them
    victim_kind       VARCHAR NOT NULL,   -- 'officer' or 'staff'
    legislation       VARCHAR NOT NULL,   -- e.g. 'Assaults on Emergency Workers (Offences) Act 2018 s1'
    ho_outcome_code   VARCHAR,            -- '14', '15' or '16' when the crime closed so
    attrition_reason  VARCHAR             -- why it did not proceed, as recorded
);
