-- +goose Up
-- Failed sign-ins per login, for throttling password guessing. Kept in the
-- database so every node sees the same count.
CREATE TABLE login_failures (
    login TEXT   NOT NULL,
    at    BIGINT NOT NULL
);
CREATE INDEX login_failures_login ON login_failures (login, at);

-- +goose Down
DROP TABLE login_failures;
