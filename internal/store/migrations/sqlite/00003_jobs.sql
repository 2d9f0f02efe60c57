-- +goose Up
-- Durable jobs (internal/job): SLA timers, auto-confirm, auto-close, mail,
-- webhooks. key is unique when set: scheduling it again moves the job.
-- after_run says what happens when the current run ends: '' (finish),
-- 'rerun' (rescheduled while running) or 'cancel' (cancelled while running).
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL,
    key          TEXT    UNIQUE,
    run_at       BIGINT  NOT NULL,
    payload      TEXT    NOT NULL DEFAULT '{}',
    state        TEXT    NOT NULL DEFAULT 'scheduled'
                 CHECK (state IN ('scheduled', 'running', 'done', 'dead', 'canceled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 10,
    last_error   TEXT    NOT NULL DEFAULT '',
    locked_by    TEXT    NOT NULL DEFAULT '',
    locked_until BIGINT,
    after_run    TEXT    NOT NULL DEFAULT '' CHECK (after_run IN ('', 'rerun', 'cancel')),
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    done_at      BIGINT
);
CREATE INDEX jobs_due ON jobs (state, run_at);

-- +goose Down
DROP TABLE jobs;
