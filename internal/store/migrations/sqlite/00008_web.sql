-- +goose Up
-- Site settings (name, logo, default language, time zone) as key/value rows.
CREATE TABLE site_settings (
    key        TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Who has a ticket open in the workspace (collision detection). Rows are
-- heartbeats: a row older than the TTL means the agent left.
CREATE TABLE web_presence (
    ticket_id BIGINT  NOT NULL REFERENCES tickets(id),
    user_id   BIGINT  NOT NULL REFERENCES users(id),
    typing    BOOLEAN NOT NULL DEFAULT FALSE,
    seen_at   BIGINT  NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX web_presence_seen ON web_presence (seen_at);

-- +goose Down
DROP TABLE web_presence;
DROP TABLE site_settings;
