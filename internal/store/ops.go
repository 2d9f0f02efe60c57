package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"helpdesk/internal/report"
)

// Ops implements report.OpsStore: the live figures of the dashboard,
// alerts and metrics, each one indexed query.
type Ops struct{ db *DB }

// Ops returns the live operations store.
func (db *DB) Ops() *Ops { return &Ops{db: db} }

var _ report.OpsStore = (*Ops)(nil)

// openIn lists the open statuses for SQL (constants, not input).
const openIn = `('unassigned','assigned','in_progress','awaiting_confirmation','follow_up')`

// OpenCounts counts open tickets by status and priority (tickets_status index).
func (s *Ops) OpenCounts(ctx context.Context) ([]report.StatusCount, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT status, priority, COUNT(*) FROM tickets WHERE status IN `+openIn+` GROUP BY status, priority`)
	if err != nil {
		return nil, fmt.Errorf("store: open counts: %w", err)
	}
	defer rows.Close()
	var out []report.StatusCount
	for rows.Next() {
		var c report.StatusCount
		if err := rows.Scan(&c.Status, &c.Priority, &c.N); err != nil {
			return nil, fmt.Errorf("store: open counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// StatusCounts counts every ticket by status, for /metrics.
func (s *Ops) StatusCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT status, COUNT(*) FROM tickets GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: status counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// Unassigned counts unassigned tickets and finds the oldest creation time.
func (s *Ops) Unassigned(ctx context.Context) (int64, time.Time, error) {
	var n int64
	var oldest sql.NullInt64
	err := s.db.read().QueryRowContext(ctx, `SELECT COUNT(*), MIN(created_at) FROM tickets WHERE status = 'unassigned'`).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: unassigned: %w", err)
	}
	return n, tm(oldest), nil
}

// UnassignedSince counts unassigned tickets created before t.
func (s *Ops) UnassignedSince(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.db.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE status = 'unassigned' AND created_at < $1`,
		before.UnixMicro()).Scan(&n)
	return n, err
}

// DueBetween counts open tickets whose earliest SLA deadline is in [from, to).
func (s *Ops) DueBetween(ctx context.Context, from, to time.Time, limit int) (int64, []string, error) {
	var n int64
	if err := s.db.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE sla_next_due >= $1 AND sla_next_due < $2`,
		from.UnixMicro(), to.UnixMicro()).Scan(&n); err != nil {
		return 0, nil, fmt.Errorf("store: due soon: %w", err)
	}
	rows, err := s.db.read().QueryContext(ctx, fmt.Sprintf(`SELECT number FROM tickets WHERE sla_next_due >= $1 AND sla_next_due < $2
		ORDER BY sla_next_due LIMIT %d`, max(1, limit)), from.UnixMicro(), to.UnixMicro())
	if err != nil {
		return 0, nil, fmt.Errorf("store: due soon: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var num string
		if err := rows.Scan(&num); err != nil {
			return 0, nil, err
		}
		out = append(out, num)
	}
	return n, out, rows.Err()
}

// BreachedOpen counts open tickets with a breached target (from the
// report facts, as of the last refresh).
func (s *Ops) BreachedOpen(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM report_facts WHERE open = TRUE AND breaches <> ''`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: breached: %w", err)
	}
	return n, nil
}

// Staff lists active staff, away or not, online when a session of theirs
// was seen since seenSince.
func (s *Ops) Staff(ctx context.Context, seenSince time.Time) ([]report.AgentLoad, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT u.id, u.login, u.name, COALESCE(u.away, FALSE),
		EXISTS (SELECT 1 FROM sessions ss WHERE ss.user_id = u.id AND ss.seen_at >= $1)
		FROM users u WHERE u.active AND u.role IN ('agent', 'supervisor', 'admin') ORDER BY u.login`, seenSince.UnixMicro())
	if err != nil {
		return nil, fmt.Errorf("store: staff: %w", err)
	}
	defer rows.Close()
	var out []report.AgentLoad
	for rows.Next() {
		var a report.AgentLoad
		if err := rows.Scan(&a.ID, &a.Login, &a.Name, &a.Away, &a.Online); err != nil {
			return nil, fmt.Errorf("store: staff: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CreatedSince counts tickets created at or after t.
func (s *Ops) CreatedSince(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := s.db.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE created_at >= $1`, t.UnixMicro()).Scan(&n)
	return n, err
}

// OnDuty sums, per local hour of the day, the distinct staff who acted on
// a ticket in each hour of [from, to) (index ticket_events_at).
func (s *Ops) OnDuty(ctx context.Context, from, to time.Time, loc *time.Location) ([24]float64, error) {
	var out [24]float64
	rows, err := s.db.read().QueryContext(ctx, `SELECT e.at, e.actor_id FROM ticket_events e
		JOIN users u ON u.id = e.actor_id AND u.role IN ('agent', 'supervisor', 'admin')
		WHERE e.at >= $1 AND e.at < $2`, from.UnixMicro(), to.UnixMicro())
	if err != nil {
		return out, fmt.Errorf("store: on duty: %w", err)
	}
	defer rows.Close()
	type slot struct {
		hour  int64
		actor int64
	}
	seen := map[slot]bool{}
	for rows.Next() {
		var at, actor int64
		if err := rows.Scan(&at, &actor); err != nil {
			return out, fmt.Errorf("store: on duty: %w", err)
		}
		k := slot{at / 3600e6, actor}
		if !seen[k] {
			seen[k] = true
			out[time.UnixMicro(at).In(loc).Hour()]++
		}
	}
	return out, rows.Err()
}
