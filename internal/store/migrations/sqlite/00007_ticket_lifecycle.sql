-- +goose Up
-- Escalation, links between tickets, resolutions counted for one rating
-- each, and the SLA state (clocks as JSON, the earliest due time indexed for
-- "breaching soon" queues).
ALTER TABLE tickets ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN customer_escalation_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN parent_id BIGINT REFERENCES tickets(id);
ALTER TABLE tickets ADD COLUMN resolutions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN sla_state TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN sla_next_due BIGINT;
CREATE INDEX tickets_sla_next_due ON tickets (sla_next_due);

-- One satisfaction rating per resolution of a ticket.
CREATE TABLE ticket_ratings (
    ticket_id  BIGINT  NOT NULL REFERENCES tickets(id),
    resolution INTEGER NOT NULL,
    rating     TEXT    NOT NULL,
    comment    TEXT    NOT NULL DEFAULT '',
    rater_id   BIGINT  REFERENCES users(id),
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (ticket_id, resolution)
);

-- Follow-up tasks for supervisors (after a poor rating), tracked like a deadline.
CREATE TABLE followup_tasks (
    id         INTEGER PRIMARY KEY,
    ticket_id  BIGINT  NOT NULL REFERENCES tickets(id),
    group_id   BIGINT  REFERENCES support_groups(id),
    kind       TEXT    NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    due_at     BIGINT  NOT NULL,
    done_at    BIGINT,
    done_by    BIGINT  REFERENCES users(id),
    created_at BIGINT  NOT NULL
);
CREATE INDEX followup_tasks_open ON followup_tasks (group_id, done_at, due_at);
CREATE INDEX followup_tasks_ticket ON followup_tasks (ticket_id);

-- Remote assistance: requested by an agent, consented to by the customer.
CREATE TABLE remote_sessions (
    id           INTEGER PRIMARY KEY,
    ticket_id    BIGINT NOT NULL REFERENCES tickets(id),
    state        TEXT   NOT NULL,
    tool         TEXT   NOT NULL DEFAULT '',
    scope        TEXT   NOT NULL DEFAULT '',
    session_code TEXT   NOT NULL DEFAULT '',
    requested_by BIGINT REFERENCES users(id),
    requested_at BIGINT NOT NULL,
    granted_by   BIGINT REFERENCES users(id),
    granted_at   BIGINT,
    ended_by     BIGINT REFERENCES users(id),
    ended_at     BIGINT
);
CREATE INDEX remote_sessions_ticket ON remote_sessions (ticket_id, id);

-- In-site notifications (站内信), written in the transaction of the change
-- they announce.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    ticket_id  BIGINT REFERENCES tickets(id),
    kind       TEXT   NOT NULL,
    params     TEXT   NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    read_at    BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, id);

-- +goose Down
DROP TABLE notifications;
DROP TABLE remote_sessions;
DROP TABLE followup_tasks;
DROP TABLE ticket_ratings;
DROP INDEX tickets_sla_next_due;
ALTER TABLE tickets DROP COLUMN sla_next_due;
ALTER TABLE tickets DROP COLUMN sla_state;
ALTER TABLE tickets DROP COLUMN resolutions;
ALTER TABLE tickets DROP COLUMN parent_id;
ALTER TABLE tickets DROP COLUMN customer_escalation_level;
ALTER TABLE tickets DROP COLUMN escalation_level;
