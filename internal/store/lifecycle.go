package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"helpdesk/internal/apperr"
	"helpdesk/internal/ticket"
)

// applyLifecycle writes the parts of a ticket change beyond the ticket row
// and its history: a rating, a follow-up task, a remote session, notices.
func applyLifecycle(ctx context.Context, tx conn, t ticket.Ticket, c ticket.Change) error {
	if r := c.Rating; r != nil {
		res, err := tx.ExecContext(ctx, `INSERT INTO ticket_ratings (ticket_id, resolution, rating, comment, rater_id, created_at)
			VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT DO NOTHING`,
			t.ID, r.Resolution, string(r.Score), r.Comment, nullID(r.RaterID), r.CreatedAt.UnixMicro())
		if err != nil {
			return fmt.Errorf("store: rating: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "rating.already_rated")
		}
	}
	if f := c.Followup; f != nil && f.ID == 0 {
		err := tx.QueryRowContext(ctx, `INSERT INTO followup_tasks (ticket_id, group_id, kind, reason, due_at, created_at)
			VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`,
			t.ID, nullID(f.GroupID), f.Kind, f.Reason, f.DueAt.UnixMicro(), f.CreatedAt.UnixMicro()).Scan(&f.ID)
		if err != nil {
			return fmt.Errorf("store: follow-up: %w", err)
		}
		c.Timers = append(c.Timers, ticket.FollowupTimer(t, *f))
	} else if f != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE followup_tasks SET done_at = $1, done_by = $2 WHERE id = $3 AND ticket_id = $4`,
			us(f.DoneAt), nullID(f.DoneBy), f.ID, t.ID); err != nil {
			return fmt.Errorf("store: follow-up: %w", err)
		}
	}
	if r := c.Remote; r != nil {
		if err := saveRemote(ctx, tx, r); err != nil {
			return err
		}
	}
	for _, n := range c.Notices {
		params, _ := json.Marshal(n.Params)
		if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (user_id, ticket_id, kind, params, created_at) VALUES ($1,$2,$3,$4,$5)`,
			n.UserID, t.ID, n.Kind, string(params), t.UpdatedAt.UnixMicro()); err != nil {
			return fmt.Errorf("store: notice: %w", err)
		}
	}
	return applyTimers(ctx, tx, c)
}

func saveRemote(ctx context.Context, tx conn, r *ticket.RemoteSession) error {
	if r.ID == 0 {
		err := tx.QueryRowContext(ctx, `INSERT INTO remote_sessions (ticket_id, state, tool, scope, session_code, requested_by,
			requested_at) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`,
			r.TicketID, string(r.State), r.Tool, r.Scope, r.SessionCode, nullID(r.RequestedBy), r.RequestedAt.UnixMicro()).Scan(&r.ID)
		if err != nil {
			return fmt.Errorf("store: remote session: %w", err)
		}
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE remote_sessions SET state=$1, session_code=$2, granted_by=$3, granted_at=$4,
		ended_by=$5, ended_at=$6 WHERE id=$7 AND ticket_id=$8`,
		string(r.State), r.SessionCode, nullID(r.GrantedBy), us(r.GrantedAt), nullID(r.EndedBy), us(r.EndedAt), r.ID, r.TicketID)
	if err != nil {
		return fmt.Errorf("store: remote session: %w", err)
	}
	return nil
}

// RemoteSessions lists a ticket's remote-assistance sessions, oldest first.
func (s *Tickets) RemoteSessions(ctx context.Context, ticketID int64) ([]ticket.RemoteSession, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT id, ticket_id, state, tool, scope, session_code, COALESCE(requested_by, 0),
		requested_at, COALESCE(granted_by, 0), granted_at, COALESCE(ended_by, 0), ended_at
		FROM remote_sessions WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: remote sessions: %w", err)
	}
	defer rows.Close()
	var out []ticket.RemoteSession
	for rows.Next() {
		var r ticket.RemoteSession
		var req int64
		var granted, ended sql.NullInt64
		if err := rows.Scan(&r.ID, &r.TicketID, &r.State, &r.Tool, &r.Scope, &r.SessionCode, &r.RequestedBy, &req,
			&r.GrantedBy, &granted, &r.EndedBy, &ended); err != nil {
			return nil, fmt.Errorf("store: remote sessions: %w", err)
		}
		r.RequestedAt, r.GrantedAt, r.EndedAt = tm(sql.NullInt64{Int64: req, Valid: true}), tm(granted), tm(ended)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Followups lists a ticket's follow-up tasks, oldest first.
func (s *Tickets) Followups(ctx context.Context, ticketID int64) ([]ticket.Followup, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT id, ticket_id, COALESCE(group_id, 0), kind, reason, due_at, done_at,
		COALESCE(done_by, 0), created_at FROM followup_tasks WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: follow-ups: %w", err)
	}
	defer rows.Close()
	var out []ticket.Followup
	for rows.Next() {
		var f ticket.Followup
		var due, created int64
		var done sql.NullInt64
		if err := rows.Scan(&f.ID, &f.TicketID, &f.GroupID, &f.Kind, &f.Reason, &due, &done, &f.DoneBy, &created); err != nil {
			return nil, fmt.Errorf("store: follow-ups: %w", err)
		}
		f.DueAt, f.DoneAt, f.CreatedAt = tm(sql.NullInt64{Int64: due, Valid: true}), tm(done), tm(sql.NullInt64{Int64: created, Valid: true})
		out = append(out, f)
	}
	return out, rows.Err()
}
