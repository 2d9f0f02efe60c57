-- +goose Up
-- The channels an alert rule tells its recipients on (comma-separated:
-- inbox, email, im); empty means every channel the recipient has enabled.
ALTER TABLE alert_rules ADD COLUMN channels TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE alert_rules DROP COLUMN channels;
