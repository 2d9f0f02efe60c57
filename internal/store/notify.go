package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"helpdesk/internal/notify"
)

// Notify implements notify.Store.
type Notify struct{ db *DB }

// Notify returns the notification store.
func (db *DB) Notify() *Notify { return &Notify{db: db} }

// Notifications lists a user's notifications, newest first.
func (s *Notify) Notifications(ctx context.Context, userID int64, unreadOnly bool, beforeID int64, limit int) ([]notify.Notification, error) {
	q := `SELECT n.id, n.user_id, COALESCE(t.number, ''), n.kind, n.params, n.created_at, n.read_at
		FROM notifications n LEFT JOIN tickets t ON t.id = n.ticket_id WHERE n.user_id = $1`
	args := []any{userID}
	if unreadOnly {
		q += ` AND n.read_at IS NULL`
	}
	if beforeID > 0 {
		args = append(args, beforeID)
		q += fmt.Sprintf(` AND n.id < $%d`, len(args))
	}
	q += fmt.Sprintf(` ORDER BY n.id DESC LIMIT %d`, max(1, limit)) // literal: see ListUsers
	rows, err := s.db.read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: notifications: %w", err)
	}
	defer rows.Close()
	var out []notify.Notification
	for rows.Next() {
		var n notify.Notification
		var params string
		var created int64
		var read sql.NullInt64
		if err := rows.Scan(&n.ID, &n.UserID, &n.TicketNumber, &n.Kind, &params, &created, &read); err != nil {
			return nil, fmt.Errorf("store: notifications: %w", err)
		}
		if err := json.Unmarshal([]byte(params), &n.Params); err != nil {
			return nil, fmt.Errorf("store: notification params: %w", err)
		}
		n.CreatedAt, n.ReadAt = tm(sql.NullInt64{Int64: created, Valid: true}), tm(read)
		out = append(out, n)
	}
	return out, rows.Err()
}

// UnreadCount counts a user's unread notifications.
func (s *Notify) UnreadCount(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.db.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: unread count: %w", err)
	}
	return n, nil
}

// MarkRead marks notifications of a user read; no ids marks all.
func (s *Notify) MarkRead(ctx context.Context, userID int64, ids []int64, at time.Time) error {
	q := `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`
	args := []any{at.UnixMicro(), userID}
	if len(ids) > 0 {
		ph := make([]string, len(ids))
		for i, id := range ids {
			args = append(args, id)
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		q += ` AND id IN (` + strings.Join(ph, ",") + `)`
	}
	if _, err := s.db.write().ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("store: mark read: %w", err)
	}
	return nil
}
