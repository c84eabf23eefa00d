-- peel warehouse, firearms licensing (agenda item 4): the register of certificate holders,
-- their firearm and shotgun certificates, applications and the stages each went through, the
-- licensing inbox and the action plan. A holder's name, date of birth and address are a
-- person_record (source_system of the register, role 'holder') like any other system's, so
-- linkage can put holders beside crimes, incidents and intelligence; the tables here hold
-- only references to it.

-- One row per certificate holder on the register.
CREATE TABLE IF NOT EXISTS firearms_holder (
    holder_ref         VARCHAR NOT NULL,
    record_key         VARCHAR NOT NULL,  -- the holder's person_record
    registered_date    DATE,
    source_system      VARCHAR NOT NULL,
    batch_id           BIGINT NOT NULL
);

-- Firearm (s1) and shotgun (s2) certificates, 5 years' validity each.
CREATE TABLE IF NOT EXISTS firearms_certificate (
    certificate_ref    VARCHAR NOT NULL,
    holder_ref         VARCHAR NOT NULL,
    kind               VARCHAR NOT NULL,  -- 'firearm' or 'shotgun'
    issued_date        DATE NOT NULL,
    expiry_date        DATE NOT NULL,     -- in force up to and including this day
    status             VARCHAR NOT NULL,  -- 'current', 'replaced', 'expired', 'refused', 'revoked'
    revoked_date       DATE,
    revoked_under      VARCHAR,           -- 's30A' (firearm) or 's30C' (shotgun)
    revoked_reason     VARCHAR,
    source_system      VARCHAR NOT NULL,
    batch_id           BIGINT NOT NULL
);

-- Applications: grant, renewal, variation, co-terminous grant. due_date is the expiry of the
-- certificate a renewal renews (NULL for other kinds): the backlog is aged by its year.
CREATE TABLE IF NOT EXISTS firearms_application (
    application_ref    VARCHAR NOT NULL,
    holder_ref         VARCHAR NOT NULL,
    kind               VARCHAR NOT NULL,  -- 'grant', 'renewal', 'variation', 'coterminous'
    certificate_kind   VARCHAR NOT NULL,  -- 'firearm', 'shotgun' or 'both'
    received_date      DATE NOT NULL,
    due_date           DATE,
    outcome            VARCHAR,           -- 'granted', 'refused', 'withdrawn'; NULL while open
    decided_date       DATE,
    decided_by         VARCHAR,           -- staff reference of the officer who decided
    reason             VARCHAR,
    permit_issued      DATE,              -- s7 temporary permit, when one was issued
    permit_expires     DATE,
    source_system      VARCHAR NOT NULL,
    batch_id           BIGINT NOT NULL
);

-- The stages an application went through, in order, each dated, with who worked it.
CREATE TABLE IF NOT EXISTS firearms_stage_event (
    application_ref    VARCHAR NOT NULL,
    stage              VARCHAR NOT NULL,  -- 'received', 'checks', 'medical', 'home_visit', 'decision'
    event_date         DATE NOT NULL,
    officer            VARCHAR,           -- staff reference
    source_system      VARCHAR NOT NULL,
    batch_id           BIGINT NOT NULL
);

-- The licensing team's shared inbox: each message, when it came and when it was cleared.
CREATE TABLE IF NOT EXISTS firearms_mail (
    message_ref        VARCHAR NOT NULL,
    received_date      DATE NOT NULL,
    cleared_date       DATE,              -- NULL: still waiting
    category           VARCHAR,
    source_system      VARCHAR NOT NULL,
    batch_id           BIGINT NOT NULL
);

-- The action plan: each policy, the recommendation it answers, its assessment.
CREATE TABLE IF NOT EXISTS firearms_policy (
    policy_ref         VARCHAR NOT NULL,
    title              VARCHAR NOT NULL,
    recommendation     VARCHAR NOT NULL,
    status             VARCHAR NOT NULL,  -- 'draft', 'developed', 'assessed'
    owner              VARCHAR NOT NULL,  -- a post, not a person
    evidence           VARCHAR,
    assessed_date      DATE,
    source_system      VARCHAR NOT NULL,
    batch_id           BIGINT NOT NULL
);
