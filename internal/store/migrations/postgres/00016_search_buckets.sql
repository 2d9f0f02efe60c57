-- +goose Up
-- Ticket search documents now carry their id bucket ('b:<id/8192>'), which
-- bounds a search to windows of the newest tickets (store/search.go). The
-- next start rebuilds the index so every document has it.
UPDATE search_state SET reindex = TRUE WHERE id = 1;

-- +goose Down
SELECT 1;
