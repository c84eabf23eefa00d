-- peel warehouse, control room (agenda item 5, resource management): contacts, incidents and
-- the staff rostered to handle them, as the force's command-and-control system records them.
-- Every time is a TIMESTAMPTZ (an instant): reports turn it into Europe/London local time, so
-- the hour that occurs twice when the clocks go back stays two hours, never one of double size.

-- One row per contact: a 999 or 101 call, or an online report (which has no answer wait).
CREATE TABLE IF NOT EXISTS cr_call (
    call_id           VARCHAR NOT NULL,
    channel           VARCHAR NOT NULL,   -- '999', '101', 'online' (peel/control_room/standards.yaml)
    received_at       TIMESTAMPTZ NOT NULL, -- when the call reached the queue / report was submitted
    answered_at       TIMESTAMPTZ,        -- NULL when abandoned (caller hung up before an answer)
    abandoned         BOOLEAN NOT NULL,
    wait_seconds      DOUBLE,             -- received -> answered, or -> hung up when abandoned
    handling_seconds  DOUBLE,             -- talk and wrap-up time; NULL when abandoned
    district_code     VARCHAR,            -- where the caller was, when known
    incident_id       VARCHAR,            -- the incident the contact created, if any
    source_system     VARCHAR NOT NULL,
    source_record_id  VARCHAR NOT NULL,
    batch_id          BIGINT NOT NULL
);

-- One row per incident created in command and control, with its grade and timeline.
CREATE TABLE IF NOT EXISTS cr_incident (
    incident_id       VARCHAR NOT NULL,
    grade             VARCHAR NOT NULL,   -- a grade of peel/control_room/standards.yaml
    created_at        TIMESTAMPTZ NOT NULL,
    dispatched_at     TIMESTAMPTZ,        -- NULL when resolved without deployment
    arrived_at        TIMESTAMPTZ,        -- first unit on scene
    closed_at         TIMESTAMPTZ,
    district_code     VARCHAR NOT NULL,
    lsoa_code         VARCHAR,
    rural             BOOLEAN NOT NULL,   -- the location's rural-urban class: picks the target
    latitude          DOUBLE,
    longitude         DOUBLE,
    units             VARCHAR[],          -- call signs of the units that attended
    source_system     VARCHAR NOT NULL,
    source_record_id  VARCHAR NOT NULL,
    batch_id          BIGINT NOT NULL
);

-- The roster worked: staff on duty per shift, role and district (the control room's call
-- handlers have district_code NULL: one room serves the force).
CREATE TABLE IF NOT EXISTS cr_shift (
    shift_date        DATE NOT NULL,      -- the local date the shift starts
    shift             VARCHAR NOT NULL,   -- a shift pattern of standards.yaml: early, late, night
    starts_at         TIMESTAMPTZ NOT NULL,
    ends_at           TIMESTAMPTZ NOT NULL,
    role              VARCHAR NOT NULL,   -- 'call_handler_999', 'call_handler_101', 'response_officer'
    district_code     VARCHAR,
    staff             INTEGER NOT NULL,
    source_system     VARCHAR NOT NULL,
    source_record_id  VARCHAR NOT NULL,
    batch_id          BIGINT NOT NULL
);
