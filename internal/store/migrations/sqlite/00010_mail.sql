-- +goose Up
-- Mail in and out, notification channels and outbound webhooks (issue 5).

-- Mailboxes an admin configures: IMAP polling, the SMTP listener or HTTP
-- intake. The IMAP position (UIDVALIDITY, last UID) lives here so a restart
-- neither fetches twice nor skips.
CREATE TABLE mail_mailboxes (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL UNIQUE,
    address          TEXT    NOT NULL DEFAULT '',
    mode             TEXT    NOT NULL DEFAULT 'imap',
    imap_host        TEXT    NOT NULL DEFAULT '',
    imap_port        INTEGER NOT NULL DEFAULT 993,
    tls_mode         TEXT    NOT NULL DEFAULT 'tls',
    username         TEXT    NOT NULL DEFAULT '',
    password         TEXT    NOT NULL DEFAULT '',
    folder           TEXT    NOT NULL DEFAULT 'INBOX',
    processed_action TEXT    NOT NULL DEFAULT 'flag',
    move_to          TEXT    NOT NULL DEFAULT '',
    create_unknown   BOOLEAN NOT NULL DEFAULT TRUE,
    category         TEXT    NOT NULL DEFAULT 'software',
    token_hash       BLOB,
    uid_validity     BIGINT  NOT NULL DEFAULT 0,
    last_uid         BIGINT  NOT NULL DEFAULT 0,
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
CREATE UNIQUE INDEX mail_mailboxes_token ON mail_mailboxes (token_hash);

-- Every message the intake saw, with its outcome. The raw message is kept
-- while it may still be retried (failed, dead) and dropped once settled.
CREATE TABLE mail_log (
    id            INTEGER PRIMARY KEY,
    mailbox_id    BIGINT  REFERENCES mail_mailboxes(id),
    message_id    TEXT    NOT NULL,
    sender        TEXT    NOT NULL DEFAULT '',
    subject       TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL,
    reason        TEXT    NOT NULL DEFAULT '',
    detail        TEXT    NOT NULL DEFAULT '',
    ticket_number TEXT    NOT NULL DEFAULT '',
    attempts      INTEGER NOT NULL DEFAULT 0,
    raw           BLOB,
    received_at   BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
CREATE INDEX mail_log_mailbox ON mail_log (mailbox_id, id);
CREATE INDEX mail_log_sender ON mail_log (sender, received_at);
CREATE INDEX mail_log_status ON mail_log (status, id);

-- Every Message-ID the desk received or sent, unique: a second delivery of
-- the same message creates nothing, and replies thread by it.
CREATE TABLE mail_ids (
    message_id TEXT    PRIMARY KEY,
    ticket_id  BIGINT  REFERENCES tickets(id),
    outbound   BOOLEAN NOT NULL DEFAULT FALSE,
    log_id     BIGINT,
    created_at BIGINT  NOT NULL
);
CREATE INDEX mail_ids_ticket ON mail_ids (ticket_id);

-- People copied on a ticket's mail, told about it like the requester.
CREATE TABLE ticket_followers (
    ticket_id  BIGINT NOT NULL REFERENCES tickets(id),
    email      TEXT   NOT NULL,
    user_id    BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, email)
);

-- Which channels a user wants (email, inbox, sms, im); no row = default.
CREATE TABLE notify_prefs (
    user_id BIGINT  NOT NULL REFERENCES users(id),
    channel TEXT    NOT NULL,
    enabled BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, channel)
);

-- A permanently failing address (5xx), recorded on the user; no mail is
-- sent to it until it changes or an admin clears it.
CREATE TABLE notify_email_failures (
    user_id   BIGINT PRIMARY KEY REFERENCES users(id),
    email     TEXT   NOT NULL,
    code      INTEGER NOT NULL,
    reason    TEXT   NOT NULL DEFAULT '',
    failed_at BIGINT NOT NULL
);

-- Admins' edits of the embedded notification templates.
CREATE TABLE notify_templates (
    key        TEXT   NOT NULL,
    lang       TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    text_body  TEXT   NOT NULL,
    html_body  TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (key, lang)
);

-- IM robots and SMS gateways events are sent to.
CREATE TABLE notify_channels (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL,
    config     TEXT    NOT NULL DEFAULT '{}',
    events     TEXT    NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

-- Outbound webhooks for integrations, and the log of every delivery.
CREATE TABLE webhook_subscriptions (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    url        TEXT    NOT NULL,
    secret     TEXT    NOT NULL,
    events     TEXT    NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    subscription_id BIGINT  NOT NULL REFERENCES webhook_subscriptions(id),
    event_id        TEXT    NOT NULL,
    event           TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    response_code   INTEGER NOT NULL DEFAULT 0,
    error           TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_sub ON webhook_deliveries (subscription_id, id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
DROP TABLE notify_channels;
DROP TABLE notify_templates;
DROP TABLE notify_email_failures;
DROP TABLE notify_prefs;
DROP TABLE ticket_followers;
DROP TABLE mail_ids;
DROP TABLE mail_log;
DROP TABLE mail_mailboxes;
