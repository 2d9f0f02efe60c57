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

-- Live pages on every node wake when ticket history or presence changes:
-- NOTIFY is delivered at commit, so a woken reader finds the rows.
-- +goose StatementBegin
CREATE FUNCTION helpdesk_live_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('helpdesk_live', TG_TABLE_NAME);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER ticket_events_live AFTER INSERT ON ticket_events
    FOR EACH STATEMENT EXECUTE FUNCTION helpdesk_live_notify();
CREATE TRIGGER web_presence_live AFTER INSERT OR UPDATE ON web_presence
    FOR EACH STATEMENT EXECUTE FUNCTION helpdesk_live_notify();

-- +goose Down
DROP TRIGGER web_presence_live ON web_presence;
DROP TRIGGER ticket_events_live ON ticket_events;
DROP FUNCTION helpdesk_live_notify();
DROP TABLE web_presence;
DROP TABLE site_settings;
