-- +goose Up
-- Who gave an anonymous "was this helpful?" answer: a hash of the client's
-- address, so one address counts once per article a day and a script cannot
-- stuff the counts (kb.MaxAnonymousVotesPerHour).
ALTER TABLE kb_feedback ADD COLUMN voter TEXT NOT NULL DEFAULT '';
CREATE INDEX kb_feedback_voter ON kb_feedback (voter, created_at) WHERE voter <> '';

-- +goose Down
DROP INDEX kb_feedback_voter;
ALTER TABLE kb_feedback DROP COLUMN voter;
