package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"helpdesk/internal/live"
)

// Web implements live.Store and site.Store: the change feed read from the
// ticket history, presence heartbeats and the site settings.
type Web struct{ db *DB }

// Web returns the web desk's store.
func (db *DB) Web() *Web { return &Web{db: db} }

// EventsAfter implements live.Store.
func (s *Web) EventsAfter(ctx context.Context, after, ticketID int64, limit int) ([]live.Event, error) {
	q := `SELECT e.id, e.ticket_id, t.number, e.kind, e.internal, COALESCE(e.actor_id, 0), e.at,
		COALESCE(t.group_id, 0), COALESCE(t.assignee_id, 0), t.requester_id, COALESCE(t.org_id, 0)
		FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE e.id > $1`
	args := []any{after}
	if ticketID != 0 {
		q += ` AND e.ticket_id = $2`
		args = append(args, ticketID)
	}
	q += fmt.Sprintf(` ORDER BY e.id LIMIT %d`, max(1, limit)) // literal: see ListUsers
	rows, err := s.db.read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: live events: %w", err)
	}
	defer rows.Close()
	var out []live.Event
	for rows.Next() {
		var e live.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.TicketID, &e.Number, &e.Kind, &e.Internal, &e.ActorID, &at,
			&e.GroupID, &e.AssigneeID, &e.RequesterID, &e.OrgID); err != nil {
			return nil, fmt.Errorf("store: live events: %w", err)
		}
		e.At = time.UnixMicro(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// LastEventID implements live.Store.
func (s *Web) LastEventID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := s.db.read().QueryRowContext(ctx, `SELECT MAX(id) FROM ticket_events`).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: last event: %w", err)
	}
	return id.Int64, nil
}

// TouchPresence implements live.Store.
func (s *Web) TouchPresence(ctx context.Context, ticketID, userID int64, typing bool, at time.Time) error {
	_, err := s.db.write().ExecContext(ctx, `INSERT INTO web_presence (ticket_id, user_id, typing, seen_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (ticket_id, user_id) DO UPDATE SET typing = excluded.typing, seen_at = excluded.seen_at`,
		ticketID, userID, typing, at.UnixMicro())
	if err != nil {
		return fmt.Errorf("store: presence: %w", err)
	}
	return nil
}

// LeavePresence implements live.Store.
func (s *Web) LeavePresence(ctx context.Context, ticketID, userID int64) error {
	if _, err := s.db.write().ExecContext(ctx, `DELETE FROM web_presence WHERE ticket_id = $1 AND user_id = $2`, ticketID, userID); err != nil {
		return fmt.Errorf("store: presence: %w", err)
	}
	return nil
}

// Presence implements live.Store.
func (s *Web) Presence(ctx context.Context, ticketID int64, since time.Time) ([]live.Viewer, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT p.user_id, u.login, u.name, p.typing, p.seen_at
		FROM web_presence p JOIN users u ON u.id = p.user_id WHERE p.ticket_id = $1 AND p.seen_at >= $2 ORDER BY u.login`,
		ticketID, since.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("store: presence: %w", err)
	}
	defer rows.Close()
	var out []live.Viewer
	for rows.Next() {
		var v live.Viewer
		var seen int64
		if err := rows.Scan(&v.UserID, &v.Login, &v.Name, &v.Typing, &seen); err != nil {
			return nil, fmt.Errorf("store: presence: %w", err)
		}
		v.SeenAt = time.UnixMicro(seen).UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// PrunePresence implements live.Store.
func (s *Web) PrunePresence(ctx context.Context, before time.Time) error {
	if _, err := s.db.write().ExecContext(ctx, `DELETE FROM web_presence WHERE seen_at < $1`, before.UnixMicro()); err != nil {
		return fmt.Errorf("store: presence: %w", err)
	}
	return nil
}

// SiteSettings implements site.Store.
func (s *Web) SiteSettings(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT key, value FROM site_settings`)
	if err != nil {
		return nil, fmt.Errorf("store: site settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("store: site settings: %w", err)
		}
		out[k] = v
	}
	return out, rows.Err()
}

// SaveSiteSettings implements site.Store.
func (s *Web) SaveSiteSettings(ctx context.Context, kv map[string]string, at time.Time) error {
	return s.db.tx(ctx, func(c conn) error {
		for k, v := range kv {
			if _, err := c.ExecContext(ctx, `INSERT INTO site_settings (key, value, updated_at) VALUES ($1, $2, $3)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, k, v, at.UnixMicro()); err != nil {
				return fmt.Errorf("store: site settings: %w", err)
			}
		}
		return nil
	})
}

// Listen waits for the PostgreSQL notifications the web feed's triggers
// send and calls wake for each; it returns when ctx ends or the connection
// fails. On SQLite it returns at once (wake-ups are in-process).
func (db *DB) Listen(ctx context.Context, dsn string, wake func()) error {
	if db.engine != Postgres {
		<-ctx.Done()
		return nil
	}
	return listenPostgres(ctx, dsn, "helpdesk_live", wake)
}
