-- +goose Up
-- Report cells as bytes instead of text (decoding the text dominated a
-- report's time), and rollups for every pair of dimensions, so a report
-- with two filters (or a team report with one) reads rollup rows instead of
-- facts. The facts and rollups are rebuilt: every ticket is marked for the
-- report.refresh job, which computes them again in the new form.
DROP TABLE report_daily;
DROP TABLE report_facts;

CREATE TABLE report_facts (
    ticket_id   BIGINT  PRIMARY KEY,
    number      TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    -- Local day numbers (days since 1970-01-01) of the first and last contribution.
    first_day   INTEGER NOT NULL,
    last_day    INTEGER NOT NULL,
    group_id    BIGINT  NOT NULL DEFAULT 0,
    agent_id    BIGINT  NOT NULL DEFAULT 0,
    category_id BIGINT  NOT NULL DEFAULT 0,
    priority    INTEGER NOT NULL DEFAULT 0,
    channel     INTEGER NOT NULL DEFAULT 0,
    org_id      BIGINT  NOT NULL DEFAULT 0,
    open        BOOLEAN NOT NULL,
    -- Breaches as "kind,at_us,cause;…", empty when none.
    breaches    TEXT    NOT NULL DEFAULT '',
    -- The contributions by day, binary (internal/store/reportcodec.go).
    parts       BLOB    NOT NULL
);
CREATE INDEX report_facts_last ON report_facts (last_day);
CREATE INDEX report_facts_group ON report_facts (group_id, last_day);
CREATE INDEX report_facts_agent ON report_facts (agent_id, last_day);
CREATE INDEX report_facts_category ON report_facts (category_id, last_day);
CREATE INDEX report_facts_org ON report_facts (org_id, last_day);
CREATE INDEX report_facts_open ON report_facts (open, last_day);
CREATE INDEX report_facts_breached ON report_facts (created_at) WHERE breaches <> '';
-- The SLA report's breach list under a filter: the first 500 breaches of a
-- group (agent, category, organization) in one index range, where the
-- per-dimension index made it read every fact of the group.
CREATE INDEX report_facts_breached_group ON report_facts (group_id, created_at) WHERE breaches <> '';
CREATE INDEX report_facts_breached_agent ON report_facts (agent_id, created_at) WHERE breaches <> '';
CREATE INDEX report_facts_breached_category ON report_facts (category_id, created_at) WHERE breaches <> '';
CREATE INDEX report_facts_breached_org ON report_facts (org_id, created_at) WHERE breaches <> '';

-- Daily sums per dimension value (dim 'group', value2 0; dim 'all' has
-- value 0) and per pair of values (dim 'group+priority': value the group,
-- value2 the priority).
CREATE TABLE report_daily (
    dim    TEXT    NOT NULL,
    value  BIGINT  NOT NULL,
    value2 BIGINT  NOT NULL DEFAULT 0,
    day    INTEGER NOT NULL,
    net    BIGINT  NOT NULL,
    cell   BLOB    NOT NULL,
    -- value2 first: a team report reads every agent's rows under one
    -- value of the pair's other dimension (or under value2 0) in key order.
    PRIMARY KEY (dim, value2, value, day)
);

INSERT INTO report_marks (ticket_id, version) SELECT id, version FROM tickets WHERE true
    ON CONFLICT (ticket_id) DO UPDATE SET version = excluded.version;

-- +goose Down
DROP TABLE report_daily;
DROP TABLE report_facts;
CREATE TABLE report_facts (
    ticket_id   BIGINT  PRIMARY KEY,
    number      TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    first_day   INTEGER NOT NULL,
    last_day    INTEGER NOT NULL,
    group_id    BIGINT  NOT NULL DEFAULT 0,
    agent_id    BIGINT  NOT NULL DEFAULT 0,
    category_id BIGINT  NOT NULL DEFAULT 0,
    priority    INTEGER NOT NULL DEFAULT 0,
    channel     INTEGER NOT NULL DEFAULT 0,
    org_id      BIGINT  NOT NULL DEFAULT 0,
    open        BOOLEAN NOT NULL,
    breaches    TEXT    NOT NULL DEFAULT '',
    parts       TEXT    NOT NULL
);
CREATE INDEX report_facts_last ON report_facts (last_day);
CREATE INDEX report_facts_group ON report_facts (group_id, last_day);
CREATE INDEX report_facts_agent ON report_facts (agent_id, last_day);
CREATE INDEX report_facts_category ON report_facts (category_id, last_day);
CREATE INDEX report_facts_org ON report_facts (org_id, last_day);
CREATE INDEX report_facts_open ON report_facts (open, last_day);
CREATE INDEX report_facts_breached ON report_facts (created_at) WHERE breaches <> '';
CREATE TABLE report_daily (
    dim   TEXT    NOT NULL,
    value BIGINT  NOT NULL,
    day   INTEGER NOT NULL,
    net   BIGINT  NOT NULL,
    cell  TEXT    NOT NULL,
    PRIMARY KEY (dim, value, day)
);
CREATE INDEX report_daily_day ON report_daily (dim, day);
INSERT INTO report_marks (ticket_id, version) SELECT id, version FROM tickets WHERE true
    ON CONFLICT (ticket_id) DO UPDATE SET version = excluded.version;
