package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"helpdesk/internal/alert"
)

// Alerts implements alert.Store and alert.Conditions.
type Alerts struct{ db *DB }

// Alerts returns the alert store.
func (db *DB) Alerts() *Alerts { return &Alerts{db: db} }

var (
	_ alert.Store      = (*Alerts)(nil)
	_ alert.Conditions = (*Alerts)(nil)
)

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

func joinChannels(cs []alert.Channel) string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = string(c)
	}
	return strings.Join(s, ",")
}

// Rules lists the rules with their recipients' logins.
func (s *Alerts) Rules(ctx context.Context) ([]alert.Rule, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT id, kind, threshold, for_minutes, recipients, channels, enabled, pending_since,
		updated_at FROM alert_rules ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: alert rules: %w", err)
	}
	var out []alert.Rule
	for rows.Next() {
		var r alert.Rule
		var recips, chans string
		var pending sql.NullInt64
		var updated int64
		if err := rows.Scan(&r.ID, &r.Kind, &r.Threshold, &r.ForMinutes, &recips, &chans, &r.Enabled, &pending, &updated); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: alert rules: %w", err)
		}
		for _, f := range strings.Split(recips, ",") {
			if id, err := strconv.ParseInt(f, 10, 64); err == nil {
				r.Recipients = append(r.Recipients, id)
			}
		}
		for _, c := range strings.Split(chans, ",") {
			if c != "" {
				r.Channels = append(r.Channels, alert.Channel(c))
			}
		}
		r.PendingSince, r.UpdatedAt = tm(pending), time.UnixMicro(updated).UTC()
		out = append(out, r)
	}
	rows.Close()
	for i := range out {
		for _, id := range out[i].Recipients {
			var login string
			if err := s.db.read().QueryRowContext(ctx, `SELECT login FROM users WHERE id = $1`, id).Scan(&login); err == nil {
				out[i].Logins = append(out[i].Logins, login)
			}
		}
	}
	return out, rows.Err()
}

// SaveRule inserts or updates a rule.
func (s *Alerts) SaveRule(ctx context.Context, r alert.Rule) (alert.Rule, error) {
	err := s.db.tx(ctx, func(tx conn) error {
		if r.ID == 0 {
			return tx.QueryRowContext(ctx, `INSERT INTO alert_rules (kind, threshold, for_minutes, recipients, channels, enabled, updated_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, string(r.Kind), r.Threshold, r.ForMinutes, joinIDs(r.Recipients),
				joinChannels(r.Channels), r.Enabled, r.UpdatedAt.UnixMicro()).Scan(&r.ID)
		}
		res, err := tx.ExecContext(ctx, `UPDATE alert_rules SET kind=$1, threshold=$2, for_minutes=$3, recipients=$4, channels=$5,
			enabled=$6, pending_since=NULL, updated_at=$7 WHERE id=$8`, string(r.Kind), r.Threshold, r.ForMinutes, joinIDs(r.Recipients),
			joinChannels(r.Channels), r.Enabled, r.UpdatedAt.UnixMicro(), r.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound(sql.ErrNoRows, "alert.rule_not_found", "alert rule")
		}
		return nil
	})
	if err != nil {
		return r, fmt.Errorf("store: alert rule: %w", err)
	}
	return r, nil
}

// DeleteRule removes a rule and resolves its open alert.
func (s *Alerts) DeleteRule(ctx context.Context, id int64) error {
	return s.db.tx(ctx, func(tx conn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM alert_rules WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("store: alert rule: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound(sql.ErrNoRows, "alert.rule_not_found", "alert rule")
		}
		_, err = tx.ExecContext(ctx, `UPDATE alerts SET resolved_at = $1 WHERE rule_id = $2 AND resolved_at IS NULL`, time.Now().UnixMicro(), id)
		return err
	})
}

// SetPending records when a rule's condition started holding (zero: it does not).
func (s *Alerts) SetPending(ctx context.Context, ruleID int64, since time.Time) error {
	return s.db.tx(ctx, func(tx conn) error {
		_, err := tx.ExecContext(ctx, `UPDATE alert_rules SET pending_since = $1 WHERE id = $2`, us(since), ruleID)
		return err
	})
}

func (s *Alerts) list(ctx context.Context, where string, limit int) ([]alert.Alert, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT id, rule_id, kind, detail, opened_at, resolved_at FROM alerts `+where+
		fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, limit))
	if err != nil {
		return nil, fmt.Errorf("store: alerts: %w", err)
	}
	defer rows.Close()
	var out []alert.Alert
	for rows.Next() {
		var a alert.Alert
		var opened int64
		var resolved sql.NullInt64
		if err := rows.Scan(&a.ID, &a.RuleID, &a.Kind, &a.Detail, &opened, &resolved); err != nil {
			return nil, err
		}
		a.OpenedAt, a.ResolvedAt = time.UnixMicro(opened).UTC(), tm(resolved)
		out = append(out, a)
	}
	return out, rows.Err()
}

// OpenAlerts lists unresolved alerts.
func (s *Alerts) OpenAlerts(ctx context.Context) ([]alert.Alert, error) {
	return s.list(ctx, `WHERE resolved_at IS NULL`, 1000)
}

// Alerts lists recent alerts.
func (s *Alerts) Alerts(ctx context.Context, limit int) ([]alert.Alert, error) {
	return s.list(ctx, ``, max(1, limit))
}

func writeNotices(ctx context.Context, tx conn, ns []alert.Notice, at time.Time) error {
	for _, n := range ns {
		params, _ := json.Marshal(n.Params)
		if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (user_id, kind, params, created_at) VALUES ($1,$2,$3,$4)`,
			n.UserID, n.Kind, string(params), at.UnixMicro()); err != nil {
			return fmt.Errorf("store: alert notice: %w", err)
		}
	}
	return nil
}

// writeOutbox adds the jobs of an alert event (unless their keys exist).
func writeOutbox(ctx context.Context, tx conn, out alert.Outbox, a alert.Alert) error {
	if out == nil {
		return nil
	}
	jobs, err := out(a)
	if err != nil {
		return fmt.Errorf("store: alert %d outbox: %w", a.ID, err)
	}
	for _, j := range jobs {
		if err := insertJob(ctx, tx, j); err != nil {
			return err
		}
	}
	return nil
}

// Open inserts an alert with its notices and outbox, unless the rule has
// one open.
func (s *Alerts) Open(ctx context.Context, a alert.Alert, ns []alert.Notice, out alert.Outbox) (alert.Alert, bool, error) {
	opened := false
	err := s.db.tx(ctx, func(tx conn) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO alerts (rule_id, kind, detail, opened_at) VALUES ($1,$2,$3,$4)
			ON CONFLICT (rule_id) WHERE resolved_at IS NULL DO NOTHING RETURNING id`,
			a.RuleID, string(a.Kind), a.Detail, a.OpenedAt.UnixMicro()).Scan(&a.ID)
		if err == sql.ErrNoRows {
			return nil // open already (another node)
		}
		if err != nil {
			return fmt.Errorf("store: alert: %w", err)
		}
		opened = true
		if err := writeNotices(ctx, tx, ns, a.OpenedAt); err != nil {
			return err
		}
		return writeOutbox(ctx, tx, out, a)
	})
	return a, opened, err
}

// Resolve marks an alert resolved and writes its notices and outbox.
func (s *Alerts) Resolve(ctx context.Context, a alert.Alert, at time.Time, ns []alert.Notice, out alert.Outbox) error {
	return s.db.tx(ctx, func(tx conn) error {
		res, err := tx.ExecContext(ctx, `UPDATE alerts SET resolved_at = $1 WHERE id = $2 AND resolved_at IS NULL`, at.UnixMicro(), a.ID)
		if err != nil {
			return fmt.Errorf("store: alert: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if err := writeNotices(ctx, tx, ns, at); err != nil {
			return err
		}
		a.ResolvedAt = at
		return writeOutbox(ctx, tx, out, a)
	})
}

// UnassignedCount counts unassigned tickets.
func (s *Alerts) UnassignedCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE status = 'unassigned'`).Scan(&n)
	return n, err
}

func (s *Alerts) numbers(ctx context.Context, q string, args ...any) (int64, []string, error) {
	rows, err := s.db.read().QueryContext(ctx, q, args...)
	if err != nil {
		return 0, nil, fmt.Errorf("store: alert condition: %w", err)
	}
	defer rows.Close()
	var n int64
	var out []string
	for rows.Next() {
		var num string
		if err := rows.Scan(&num); err != nil {
			return 0, nil, err
		}
		n++
		if len(out) < 10 {
			out = append(out, num)
		}
	}
	return n, out, rows.Err()
}

// FirstResponseOverdue lists open tickets without a first response whose
// first-response target breached (from the report facts' breaches).
func (s *Alerts) FirstResponseOverdue(ctx context.Context, limit int) (int64, []string, error) {
	return s.numbers(ctx, `SELECT t.number FROM report_facts f JOIN tickets t ON t.id = f.ticket_id
		WHERE f.open = TRUE AND f.breaches LIKE '%first_response,%' AND t.first_response_at IS NULL AND t.status IN `+openIn+` ORDER BY t.id`)
}

// Unacknowledged lists tickets of the priority created before `before`
// and not yet taken up: unassigned, or assigned and not started.
func (s *Alerts) Unacknowledged(ctx context.Context, priority string, before time.Time, limit int) (int64, []string, error) {
	return s.numbers(ctx, `SELECT number FROM tickets WHERE status IN ('unassigned', 'assigned') AND priority = $1 AND created_at < $2
		ORDER BY created_at`, priority, before.UnixMicro())
}
