package store

import (
	"context"
	"fmt"
	"time"

	"helpdesk/internal/mailin"
)

// Deflected counts the tickets the knowledge base deflected in [from, to),
// of one category when categoryID is not zero (reports' deflection rate).
func (s *KB) Deflected(ctx context.Context, from, to time.Time, categoryID int64) (int64, error) {
	var n int64
	err := s.db.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM kb_deflections
		WHERE created_at >= $1 AND created_at < $2 AND ($3 = 0 OR category_id = $3)`,
		from.UnixMicro(), to.UnixMicro(), categoryID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: deflections: %w", err)
	}
	return n, nil
}

// FailingMailboxes names the enabled mailboxes with a message that failed
// (being retried) or went to the dead letters since the given time: the
// "intake mailbox failing" alert's condition.
func (s *Mail) FailingMailboxes(ctx context.Context, since time.Time) ([]string, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT m.name FROM mail_mailboxes m WHERE m.enabled = TRUE AND EXISTS (
		SELECT 1 FROM mail_log l WHERE l.mailbox_id = m.id AND l.status IN ($1, $2) AND l.updated_at >= $3)
		ORDER BY m.name`, string(mailin.StatusFailed), string(mailin.StatusDead), since.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("store: failing mailboxes: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("store: failing mailboxes: %w", err)
		}
		out = append(out, name)
	}
	return out, rows.Err()
}
