package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"helpdesk/internal/job"
	"helpdesk/internal/report/export"
)

// Exports implements export.Store.
type Exports struct{ db *DB }

// Exports returns the export store.
func (db *DB) Exports() *Exports { return &Exports{db: db} }

var _ export.Store = (*Exports)(nil)

// exportParams is how an export's filter is stored (report_exports.params).
type exportParams struct {
	From       int64    `json:"from"`
	To         int64    `json:"to"`
	Statuses   []string `json:"statuses,omitempty"`
	Priorities []string `json:"priorities,omitempty"`
	Category   string   `json:"category,omitempty"`
	Group      string   `json:"group,omitempty"`
	Assignee   string   `json:"assignee,omitempty"`
}

// CreateExport inserts the record and schedules its job in one transaction.
func (s *Exports) CreateExport(ctx context.Context, r export.Record) (export.Record, error) {
	p := r.Params
	params, _ := json.Marshal(exportParams{From: p.From.UnixMicro(), To: p.To.UnixMicro(), Statuses: p.Statuses,
		Priorities: p.Priorities, Category: p.Category, Group: p.Group, Assignee: p.Assignee})
	err := s.db.tx(ctx, func(tx conn) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO report_exports (user_id, kind, format, lang, params, state, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, r.UserID, r.Kind, string(r.Format), r.Lang, string(params),
			string(r.State), r.CreatedAt.UnixMicro()).Scan(&r.ID)
		if err != nil {
			return fmt.Errorf("store: export: %w", err)
		}
		j, err := job.New(export.JobKind, fmt.Sprintf("export:%d", r.ID), r.CreatedAt, map[string]any{"export": r.ID})
		if err != nil {
			return err
		}
		j.MaxAttempts = 3
		return scheduleJob(ctx, tx, j)
	})
	return r, err
}

// Export returns one export.
func (s *Exports) Export(ctx context.Context, id int64) (export.Record, error) {
	var r export.Record
	var format, state, params string
	var created int64
	var finished sql.NullInt64
	err := s.db.read().QueryRowContext(ctx, `SELECT id, user_id, kind, format, lang, params, state, rows_done, progress, file, size,
		error, created_at, finished_at FROM report_exports WHERE id = $1`, id).Scan(&r.ID, &r.UserID, &r.Kind, &format, &r.Lang,
		&params, &state, &r.RowsDone, &r.Progress, &r.File, &r.Size, &r.Error, &created, &finished)
	if err != nil {
		return r, notFound(err, "export.not_found", fmt.Sprintf("export %d", id))
	}
	var p exportParams
	if err := json.Unmarshal([]byte(params), &p); err != nil {
		return r, fmt.Errorf("store: export %d params: %w", id, err)
	}
	r.Format, r.State = export.Format(format), export.State(state)
	r.Params = export.TicketParams{From: time.UnixMicro(p.From).UTC(), To: time.UnixMicro(p.To).UTC(), Statuses: p.Statuses,
		Priorities: p.Priorities, Category: p.Category, Group: p.Group, Assignee: p.Assignee}
	r.CreatedAt, r.FinishedAt = time.UnixMicro(created).UTC(), tm(finished)
	return r, nil
}

// SaveExport records an export's state and progress.
func (s *Exports) SaveExport(ctx context.Context, r export.Record) error {
	_, err := s.db.write().ExecContext(ctx, `UPDATE report_exports SET state=$1, rows_done=$2, progress=$3, file=$4, size=$5,
		error=$6, finished_at=$7 WHERE id=$8`, string(r.State), r.RowsDone, r.Progress, r.File, r.Size, r.Error, us(r.FinishedAt), r.ID)
	if err != nil {
		return fmt.Errorf("store: export %d: %w", r.ID, err)
	}
	return nil
}
