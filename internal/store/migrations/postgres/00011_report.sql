-- +goose Up
-- Reports. Ticket writes mark the ticket (report_marks, same transaction);
-- the report.refresh job computes each marked ticket's fact (report_facts:
-- its dimension values and its contributions to each local day, encoded
-- sparsely) and moves the daily sums per dimension value (report_daily) by
-- the difference, so a report for a year reads a few hundred rows.
CREATE TABLE report_marks (
    ticket_id BIGINT  PRIMARY KEY,
    version   INTEGER NOT NULL
);

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
    parts       TEXT    NOT NULL
);
CREATE INDEX report_facts_last ON report_facts (last_day);
CREATE INDEX report_facts_group ON report_facts (group_id, last_day);
CREATE INDEX report_facts_agent ON report_facts (agent_id, last_day);
CREATE INDEX report_facts_category ON report_facts (category_id, last_day);
CREATE INDEX report_facts_org ON report_facts (org_id, last_day);
CREATE INDEX report_facts_open ON report_facts (open, last_day);
CREATE INDEX report_facts_breached ON report_facts (created_at) WHERE breaches <> '';

-- Daily sums per dimension value; dim 'all' has value 0.
CREATE TABLE report_daily (
    dim   TEXT    NOT NULL,
    value BIGINT  NOT NULL,
    day   INTEGER NOT NULL,
    net   BIGINT  NOT NULL,
    cell  TEXT    NOT NULL,
    PRIMARY KEY (dim, value, day)
);
CREATE INDEX report_daily_day ON report_daily (dim, day);

-- +goose Down
DROP TABLE report_daily;
DROP TABLE report_facts;
DROP TABLE report_marks;
