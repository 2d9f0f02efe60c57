-- +goose Up
-- Ticket routing: ordered assignment rules, each group's strategy and
-- round-robin cursor, a version counter that every rule or strategy change
-- bumps (nodes revalidate their cached rules against it), and each agent's
-- availability and cap on open tickets.
CREATE TABLE routing_rules (
    id           INTEGER PRIMARY KEY,
    position     INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    enabled      BOOLEAN NOT NULL DEFAULT TRUE,
    conditions   TEXT    NOT NULL DEFAULT '{}',
    group_id     BIGINT  NOT NULL REFERENCES support_groups(id),
    agent_id     BIGINT  REFERENCES users(id),
    set_priority TEXT    NOT NULL DEFAULT '',
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX routing_rules_position ON routing_rules (position, id);

-- cursor is the id of the agent the round robin picked last (0: none yet).
CREATE TABLE group_routing (
    group_id BIGINT PRIMARY KEY REFERENCES support_groups(id),
    strategy TEXT   NOT NULL,
    cursor   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE routing_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO routing_version (id, version) VALUES (1, 0);

-- max_open 0 follows the desk default.
ALTER TABLE users ADD COLUMN away BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN max_open INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE users DROP COLUMN max_open;
ALTER TABLE users DROP COLUMN away;
DROP TABLE routing_version;
DROP TABLE group_routing;
DROP TABLE routing_rules;
