package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/job"
	"helpdesk/internal/mailin"
)

// Mail implements mailin.Store: mailboxes, the processing log, the
// Message-IDs the desk saw or sent, and ticket followers.
type Mail struct{ db *DB }

// Mail returns the mail intake store.
func (db *DB) Mail() *Mail { return &Mail{db: db} }

var _ mailin.Store = (*Mail)(nil)

// Claim records a message as being processed (see mailin.Store).
func (s *Mail) Claim(ctx context.Context, e mailin.LogEntry, raw []byte, retryAt time.Time) (int64, mailin.Duplicate, error) {
	var id int64
	var dup mailin.Duplicate
	err := s.db.tx(ctx, func(tx conn) error {
		status := string(e.Status)
		res, err := tx.ExecContext(ctx, `INSERT INTO mail_ids (message_id, outbound, created_at) VALUES ($1, FALSE, $2)
			ON CONFLICT (message_id) DO NOTHING`, e.MessageID, e.ReceivedAt.UnixMicro())
		if err != nil {
			return fmt.Errorf("store: claim message id: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			dup.Known = true
			err := tx.QueryRowContext(ctx, `SELECT m.outbound, COALESCE(t.number, '') FROM mail_ids m
				LEFT JOIN tickets t ON t.id = m.ticket_id WHERE m.message_id = $1`, e.MessageID).Scan(&dup.Outbound, &dup.TicketNumber)
			if err != nil {
				return fmt.Errorf("store: known message id: %w", err)
			}
			status, raw = string(mailin.StatusIgnored), nil
			e.Reason = mailin.ReasonDuplicate
			if dup.Outbound {
				e.Reason = mailin.ReasonOwnMessage
			}
			e.TicketNumber = dup.TicketNumber
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO mail_log (mailbox_id, message_id, sender, subject, status, reason, detail,
			ticket_number, attempts, raw, received_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,1,$9,$10,$10) RETURNING id`,
			nullID(e.MailboxID), e.MessageID, e.Sender, e.Subject, status, e.Reason, e.Detail, e.TicketNumber, nullBytes(raw),
			e.ReceivedAt.UnixMicro()).Scan(&id)
		if err != nil {
			return fmt.Errorf("store: mail log: %w", err)
		}
		if dup.Known {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE mail_ids SET log_id = $1 WHERE message_id = $2`, id, e.MessageID); err != nil {
			return fmt.Errorf("store: claim message id: %w", err)
		}
		j, err := job.New(mailin.RetryKind, mailin.RetryKey(id), retryAt, map[string]any{"log": id})
		if err != nil {
			return err
		}
		return scheduleJob(ctx, tx, j)
	})
	return id, dup, err
}

func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// Settle records a message's final outcome (see mailin.Store).
func (s *Mail) Settle(ctx context.Context, id int64, out mailin.Outcome, number string) error {
	return s.db.tx(ctx, func(tx conn) error {
		var msgID string
		err := tx.QueryRowContext(ctx, `UPDATE mail_log SET status = $1, reason = $2, detail = $3, ticket_number = $4, raw = NULL,
			updated_at = $5 WHERE id = $6 RETURNING message_id`,
			string(out.Status), out.Reason, out.Detail, number, time.Now().UnixMicro(), id).Scan(&msgID)
		if err != nil {
			return notFound(err, "mail.log_not_found", "mail log")
		}
		if number != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE mail_ids SET ticket_id = (SELECT id FROM tickets WHERE number = $1)
				WHERE message_id = $2`, number, msgID); err != nil {
				return fmt.Errorf("store: mail id ticket: %w", err)
			}
		}
		return cancelJobs(ctx, tx, mailin.RetryKey(id))
	})
}

// Failed records a failed attempt (see mailin.Store).
func (s *Mail) Failed(ctx context.Context, id int64, reason, detail string, dead bool) error {
	status := mailin.StatusFailed
	if dead {
		status = mailin.StatusDead
	}
	return s.db.tx(ctx, func(tx conn) error {
		res, err := tx.ExecContext(ctx, `UPDATE mail_log SET status = $1, reason = $2, detail = $3, updated_at = $4 WHERE id = $5`,
			string(status), reason, detail, time.Now().UnixMicro(), id)
		if err != nil {
			return fmt.Errorf("store: mail log: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "mail.log_not_found")
		}
		if dead {
			return cancelJobs(ctx, tx, mailin.RetryKey(id))
		}
		return nil
	})
}

// Requeue puts a failed or dead entry back for processing now.
func (s *Mail) Requeue(ctx context.Context, id int64) error {
	return s.db.tx(ctx, func(tx conn) error {
		now := time.Now()
		res, err := tx.ExecContext(ctx, `UPDATE mail_log SET status = 'failed', attempts = attempts + 1, updated_at = $1
			WHERE id = $2 AND status IN ('failed', 'dead') AND raw IS NOT NULL`, now.UnixMicro(), id)
		if err != nil {
			return fmt.Errorf("store: requeue mail: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "mail.log_not_found")
		}
		j, err := job.New(mailin.RetryKind, mailin.RetryKey(id), now, map[string]any{"log": id})
		if err != nil {
			return err
		}
		return scheduleJob(ctx, tx, j)
	})
}

// Discard removes a failed or dead entry from the dead letters.
func (s *Mail) Discard(ctx context.Context, id int64) error {
	return s.db.tx(ctx, func(tx conn) error {
		res, err := tx.ExecContext(ctx, `UPDATE mail_log SET status = 'discarded', raw = NULL, updated_at = $1
			WHERE id = $2 AND status IN ('failed', 'dead')`, time.Now().UnixMicro(), id)
		if err != nil {
			return fmt.Errorf("store: discard mail: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "mail.log_not_found")
		}
		return cancelJobs(ctx, tx, mailin.RetryKey(id))
	})
}

const mailLogCols = `id, COALESCE(mailbox_id, 0), message_id, sender, subject, status, reason, detail, ticket_number, attempts,
	received_at, updated_at`

func scanLog(row scanner, extra ...any) (mailin.LogEntry, error) {
	var e mailin.LogEntry
	var recv, upd int64
	var status string
	dest := append([]any{&e.ID, &e.MailboxID, &e.MessageID, &e.Sender, &e.Subject, &status, &e.Reason, &e.Detail,
		&e.TicketNumber, &e.Attempts, &recv, &upd}, extra...)
	if err := row.Scan(dest...); err != nil {
		return e, err
	}
	e.Status = mailin.Status(status)
	e.ReceivedAt, e.UpdatedAt = time.UnixMicro(recv).UTC(), time.UnixMicro(upd).UTC()
	return e, nil
}

// Entry returns a log entry with its raw message.
func (s *Mail) Entry(ctx context.Context, id int64) (mailin.LogEntry, []byte, error) {
	var raw []byte
	e, err := scanLog(s.db.read().QueryRowContext(ctx, `SELECT `+mailLogCols+`, raw FROM mail_log WHERE id = $1`, id), &raw)
	return e, raw, notFound(err, "mail.log_not_found", "mail log")
}

// Log lists log entries, newest first.
func (s *Mail) Log(ctx context.Context, mailboxID, beforeID int64, statuses []mailin.Status, limit int) ([]mailin.LogEntry, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	switch {
	case mailboxID > 0:
		where = append(where, "mailbox_id = "+arg(mailboxID))
	case mailboxID == 0:
		where = append(where, "mailbox_id IS NULL")
	}
	if beforeID > 0 {
		where = append(where, "id < "+arg(beforeID))
	}
	if len(statuses) > 0 {
		ph := make([]string, len(statuses))
		for i, st := range statuses {
			ph[i] = arg(string(st))
		}
		where = append(where, "status IN ("+strings.Join(ph, ",")+")")
	}
	q := `SELECT ` + mailLogCols + ` FROM mail_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT %d", max(1, limit))
	rows, err := s.db.read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: mail log: %w", err)
	}
	defer rows.Close()
	var out []mailin.LogEntry
	for rows.Next() {
		e, err := scanLog(rows)
		if err != nil {
			return nil, fmt.Errorf("store: mail log: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// SenderCount counts a sender's messages that became tickets or replies.
func (s *Mail) SenderCount(ctx context.Context, sender string, since time.Time) (int, error) {
	var n int
	err := s.db.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM mail_log WHERE sender = $1 AND received_at >= $2
		AND status IN ('created', 'appended')`, sender, since.UnixMicro()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: sender count: %w", err)
	}
	return n, nil
}

// ThreadTicket finds the ticket one of the Message-IDs belongs to.
func (s *Mail) ThreadTicket(ctx context.Context, ids []string) (string, error) {
	if len(ids) > 100 {
		ids = ids[len(ids)-100:]
	}
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	var n string
	err := s.db.read().QueryRowContext(ctx, `SELECT t.number FROM mail_ids m JOIN tickets t ON t.id = m.ticket_id
		WHERE m.message_id IN (`+strings.Join(ph, ",")+`) ORDER BY m.created_at DESC LIMIT 1`, args...).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: thread: %w", err)
	}
	return n, nil
}

// UserIDByEmail finds a user by email, case-insensitively; active users
// and customers first.
func (s *Mail) UserIDByEmail(ctx context.Context, email string) (int64, error) {
	var id int64
	err := s.db.read().QueryRowContext(ctx, `SELECT id FROM users WHERE LOWER(email) = $1
		ORDER BY active DESC, id LIMIT 1`, strings.ToLower(email)).Scan(&id)
	return id, notFound(err, "user.not_found", "user by email")
}

// AddFollowers adds people copied on a ticket's mail (once each).
func (s *Mail) AddFollowers(ctx context.Context, number string, f []mailin.Follower) error {
	return s.db.tx(ctx, func(tx conn) error {
		now := time.Now().UnixMicro()
		for _, x := range f {
			_, err := tx.ExecContext(ctx, `INSERT INTO ticket_followers (ticket_id, email, user_id, created_at)
				SELECT id, $2, $3, $4 FROM tickets WHERE number = $1 ON CONFLICT DO NOTHING`, number, x.Email, nullID(x.UserID), now)
			if err != nil {
				return fmt.Errorf("store: follower: %w", err)
			}
		}
		return nil
	})
}

// Followers lists the people following a ticket.
func (s *Mail) Followers(ctx context.Context, ticketID int64) ([]mailin.Follower, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT email, COALESCE(user_id, 0) FROM ticket_followers WHERE ticket_id = $1
		ORDER BY created_at, email`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: followers: %w", err)
	}
	defer rows.Close()
	var out []mailin.Follower
	for rows.Next() {
		var f mailin.Follower
		if err := rows.Scan(&f.Email, &f.UserID); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// RecordOutbound records the Message-ID of a mail the desk sends about a
// ticket, inside tx (the transaction that schedules the sending), so that
// replies thread back and the desk never ingests its own mail.
func recordOutbound(ctx context.Context, tx conn, messageID string, ticketID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO mail_ids (message_id, ticket_id, outbound, created_at) VALUES ($1, $2, TRUE, $3)
		ON CONFLICT (message_id) DO NOTHING`, messageID, nullID(ticketID), at.UnixMicro())
	if err != nil {
		return fmt.Errorf("store: outbound message id: %w", err)
	}
	return nil
}

// RecordOutbound records an outbound Message-ID on its own (tests, tools).
func (s *Mail) RecordOutbound(ctx context.Context, messageID string, ticketID int64) error {
	return s.db.tx(ctx, func(tx conn) error { return recordOutbound(ctx, tx, messageID, ticketID, time.Now()) })
}
