-- +goose Up
-- Times are BIGINT microseconds since the Unix epoch (UTC) on both engines:
-- they sort and compare exactly, and every engine reads them the same way.
CREATE TABLE orgs (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    created_at BIGINT  NOT NULL
);

CREATE TABLE support_groups (
    id         INTEGER PRIMARY KEY,
    key        TEXT    NOT NULL UNIQUE,
    name_zh    TEXT    NOT NULL,
    name_en    TEXT    NOT NULL,
    email      TEXT    NOT NULL DEFAULT '',
    created_at BIGINT  NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    email         TEXT    NOT NULL DEFAULT '',
    phone         TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL,
    org_id        BIGINT  REFERENCES orgs(id),
    org_visible   BOOLEAN NOT NULL DEFAULT FALSE,
    lang          TEXT    NOT NULL DEFAULT '',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);

CREATE TABLE user_groups (
    user_id  BIGINT NOT NULL REFERENCES users(id),
    group_id BIGINT NOT NULL REFERENCES support_groups(id),
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX user_groups_group ON user_groups (group_id);

CREATE TABLE sessions (
    hash       BLOB   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    seen_at    BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    name         TEXT   NOT NULL,
    hash         BLOB   NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

CREATE TABLE categories (
    id       INTEGER PRIMARY KEY,
    key      TEXT    NOT NULL UNIQUE,
    name_zh  TEXT    NOT NULL,
    name_en  TEXT    NOT NULL,
    group_id BIGINT  NOT NULL REFERENCES support_groups(id),
    fields   TEXT    NOT NULL DEFAULT '[]',
    guide_zh TEXT    NOT NULL DEFAULT '',
    guide_en TEXT    NOT NULL DEFAULT '',
    active   BOOLEAN NOT NULL DEFAULT TRUE,
    sort     INTEGER NOT NULL DEFAULT 0
);

-- One row per day: the last serial handed out. Incremented in the same
-- transaction as the ticket insert, so numbers are unique and gapless.
CREATE TABLE ticket_counters (
    day  TEXT    PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    number            TEXT    NOT NULL UNIQUE,
    title             TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    category_id       BIGINT  NOT NULL REFERENCES categories(id),
    priority          TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    channel           TEXT    NOT NULL,
    requester_id      BIGINT  NOT NULL REFERENCES users(id),
    org_id            BIGINT  REFERENCES orgs(id),
    contact_phone     TEXT    NOT NULL DEFAULT '',
    contact_email     TEXT    NOT NULL DEFAULT '',
    group_id          BIGINT  REFERENCES support_groups(id),
    assignee_id       BIGINT  REFERENCES users(id),
    custom_fields     TEXT    NOT NULL DEFAULT '{}',
    version           INTEGER NOT NULL,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    first_response_at BIGINT,
    resolved_at       BIGINT,
    closed_at         BIGINT
);
CREATE INDEX tickets_group_queue ON tickets (group_id, status, updated_at, id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, status, updated_at, id);
CREATE INDEX tickets_requester ON tickets (requester_id, updated_at, id);
CREATE INDEX tickets_org ON tickets (org_id, updated_at, id);
CREATE INDEX tickets_updated ON tickets (updated_at, id);
CREATE INDEX tickets_created ON tickets (created_at, id);
CREATE INDEX tickets_priority ON tickets (priority, id);

CREATE TABLE ticket_messages (
    id         INTEGER PRIMARY KEY,
    ticket_id  BIGINT  NOT NULL REFERENCES tickets(id),
    author_id  BIGINT  REFERENCES users(id),
    body       TEXT    NOT NULL,
    internal   BOOLEAN NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);

CREATE TABLE ticket_attachments (
    id           INTEGER PRIMARY KEY,
    ticket_id    BIGINT NOT NULL REFERENCES tickets(id),
    uploader_id  BIGINT REFERENCES users(id),
    filename     TEXT   NOT NULL,
    content_type TEXT   NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT   NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id, id);

CREATE TABLE ticket_events (
    id         INTEGER PRIMARY KEY,
    ticket_id  BIGINT  NOT NULL REFERENCES tickets(id),
    actor_id   BIGINT  REFERENCES users(id),
    actor      TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    field      TEXT    NOT NULL DEFAULT '',
    from_value TEXT    NOT NULL DEFAULT '',
    to_value   TEXT    NOT NULL DEFAULT '',
    comment    TEXT    NOT NULL DEFAULT '',
    internal   BOOLEAN NOT NULL DEFAULT FALSE,
    at         BIGINT  NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE TABLE idempotency_keys (
    user_id    BIGINT NOT NULL,
    key        TEXT   NOT NULL,
    ticket_id  BIGINT NOT NULL REFERENCES tickets(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE ticket_events;
DROP TABLE ticket_attachments;
DROP TABLE ticket_messages;
DROP TABLE tickets;
DROP TABLE ticket_counters;
DROP TABLE categories;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE user_groups;
DROP TABLE users;
DROP TABLE support_groups;
DROP TABLE orgs;
