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

-- Exports that run as background jobs (report.export), with their progress
-- and the file they produced under the data directory.
CREATE TABLE report_exports (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT  NOT NULL REFERENCES users(id),
    kind        TEXT    NOT NULL,
    format      TEXT    NOT NULL,
    lang        TEXT    NOT NULL,
    params      TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    rows_done   BIGINT  NOT NULL DEFAULT 0,
    progress    REAL    NOT NULL DEFAULT 0,
    file        TEXT    NOT NULL DEFAULT '',
    size        BIGINT  NOT NULL DEFAULT 0,
    error       TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL,
    finished_at BIGINT
);
CREATE INDEX report_exports_user ON report_exports (user_id, id);

-- The audit log: sign-ins, permission and settings changes, exports, deletions.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         BIGINT  NOT NULL,
    actor_id   BIGINT,
    actor      TEXT    NOT NULL DEFAULT '',
    action     TEXT    NOT NULL,
    target     TEXT    NOT NULL DEFAULT '',
    status     INTEGER NOT NULL DEFAULT 0,
    ip         TEXT    NOT NULL DEFAULT '',
    request_id TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_action ON audit_log (action, id);

-- The live dashboard and /metrics count tickets by status and priority.
CREATE INDEX tickets_status ON tickets (status, priority);

-- Who is online: sessions seen recently, per user.
CREATE INDEX sessions_user_seen ON sessions (user_id, seen_at);

-- Staffing: who acted on tickets in each hour.
CREATE INDEX ticket_events_at ON ticket_events (at);

-- Alert rules (admins) and the alerts they opened; at most one open alert
-- per rule (the partial unique index deduplicates across nodes).
CREATE TABLE alert_rules (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL,
    threshold     INTEGER NOT NULL DEFAULT 0,
    for_minutes   INTEGER NOT NULL DEFAULT 0,
    recipients    TEXT    NOT NULL DEFAULT '',
    enabled       BOOLEAN NOT NULL DEFAULT TRUE,
    pending_since BIGINT,
    updated_at    BIGINT  NOT NULL
);
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    rule_id     BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '',
    opened_at   BIGINT  NOT NULL,
    resolved_at BIGINT
);
CREATE UNIQUE INDEX alerts_open ON alerts (rule_id) WHERE resolved_at IS NULL;
CREATE INDEX alerts_recent ON alerts (id);

-- +goose Down
DROP TABLE alerts;
DROP TABLE alert_rules;
DROP INDEX ticket_events_at;
DROP INDEX sessions_user_seen;
DROP INDEX tickets_status;
DROP TABLE audit_log;
DROP TABLE report_exports;
DROP TABLE report_daily;
DROP TABLE report_facts;
DROP TABLE report_marks;
