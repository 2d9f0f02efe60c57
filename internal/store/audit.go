package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"helpdesk/internal/audit"
)

// Audit implements audit.Store.
type Audit struct{ db *DB }

// Audit returns the audit log store.
func (db *DB) Audit() *Audit { return &Audit{db: db} }

var _ audit.Store = (*Audit)(nil)

// Record appends an entry.
func (s *Audit) Record(ctx context.Context, e audit.Entry) error {
	detail := "{}"
	if len(e.Detail) > 0 {
		b, _ := json.Marshal(e.Detail)
		detail = string(b)
	}
	return s.db.tx(ctx, func(tx conn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, actor, action, target, status, ip, request_id, detail)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, e.At.UnixMicro(), nullID(e.ActorID), e.Actor, e.Action, e.Target, e.Status,
			e.IP, e.RequestID, detail)
		if err != nil {
			return fmt.Errorf("store: audit: %w", err)
		}
		return nil
	})
}

// Search lists entries newest first.
func (s *Audit) Search(ctx context.Context, q audit.Query) ([]audit.Entry, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if q.Actor != "" {
		where = append(where, "actor = "+arg(q.Actor))
	}
	if q.Action != "" {
		where = append(where, "action = "+arg(q.Action))
	}
	if !q.From.IsZero() {
		where = append(where, "at >= "+arg(q.From.UnixMicro()))
	}
	if !q.To.IsZero() {
		where = append(where, "at < "+arg(q.To.UnixMicro()))
	}
	if q.BeforeID > 0 {
		where = append(where, "id < "+arg(q.BeforeID))
	}
	if q.Text != "" {
		p := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q.Text) + "%"
		where = append(where, "(target LIKE "+arg(p)+` ESCAPE '\' OR detail LIKE `+arg(p)+` ESCAPE '\')`)
	}
	sqlq := `SELECT id, at, COALESCE(actor_id, 0), actor, action, target, status, ip, request_id, detail FROM audit_log`
	if len(where) > 0 {
		sqlq += " WHERE " + strings.Join(where, " AND ")
	}
	sqlq += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", max(1, q.Limit))
	rows, err := s.db.read().QueryContext(ctx, sqlq, args...)
	if err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var at int64
		var detail string
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.Actor, &e.Action, &e.Target, &e.Status, &e.IP, &e.RequestID, &detail); err != nil {
			return nil, fmt.Errorf("store: audit: %w", err)
		}
		e.At = time.UnixMicro(at).UTC()
		if detail != "" && detail != "{}" {
			json.Unmarshal([]byte(detail), &e.Detail)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
