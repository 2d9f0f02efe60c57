-- +goose Up
-- PostgreSQL's ticket documents gain an id bucket in this version; FTS5
-- bounds a search by rowid without one, so SQLite has nothing to change.
SELECT 1;

-- +goose Down
SELECT 1;
