package store

import (
	"context"
	"database/sql"
	"fmt"

	"helpdesk/internal/ticket"
)

// Messages returns a ticket's conversation in order; internal notes only
// when asked for.
func (s *Tickets) Messages(ctx context.Context, ticketID int64, withInternal bool) ([]ticket.Message, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT m.id, m.ticket_id, COALESCE(m.author_id, 0), COALESCE(u.login, 'system'),
		COALESCE(u.name, ''), COALESCE(u.role, ''), m.body, m.internal, m.created_at
		FROM ticket_messages m LEFT JOIN users u ON u.id = m.author_id
		WHERE m.ticket_id = $1 AND (m.internal = FALSE OR $2) ORDER BY m.id`, ticketID, withInternal)
	if err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	defer rows.Close()
	var out []ticket.Message
	for rows.Next() {
		var m ticket.Message
		var at int64
		if err := rows.Scan(&m.ID, &m.TicketID, &m.AuthorID, &m.Author, &m.AuthorName, &m.AuthorRole, &m.Body, &m.Internal, &at); err != nil {
			return nil, fmt.Errorf("store: messages: %w", err)
		}
		m.CreatedAt = tm(sql.NullInt64{Int64: at, Valid: true})
		out = append(out, m)
	}
	return out, rows.Err()
}

// Events returns a ticket's history in order; internal events only when asked for.
func (s *Tickets) Events(ctx context.Context, ticketID int64, withInternal bool) ([]ticket.Event, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT id, ticket_id, COALESCE(actor_id, 0), actor, kind, field, from_value, to_value,
		comment, internal, at FROM ticket_events WHERE ticket_id = $1 AND (internal = FALSE OR $2) ORDER BY id`, ticketID, withInternal)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	var out []ticket.Event
	for rows.Next() {
		var e ticket.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.TicketID, &e.ActorID, &e.Actor, &e.Kind, &e.Field, &e.From, &e.To, &e.Comment, &e.Internal, &at); err != nil {
			return nil, fmt.Errorf("store: events: %w", err)
		}
		e.At = tm(sql.NullInt64{Int64: at, Valid: true})
		out = append(out, e)
	}
	return out, rows.Err()
}

const attachmentCols = `a.id, a.ticket_id, COALESCE(a.uploader_id, 0), COALESCE(u.login, 'system'), a.filename, a.content_type,
	a.size, a.sha256, a.created_at`
const attachmentFrom = ` FROM ticket_attachments a LEFT JOIN users u ON u.id = a.uploader_id`

func scanAttachment(row scanner) (ticket.Attachment, error) {
	var a ticket.Attachment
	var at int64
	err := row.Scan(&a.ID, &a.TicketID, &a.UploaderID, &a.Uploader, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &at)
	a.CreatedAt = tm(sql.NullInt64{Int64: at, Valid: true})
	return a, err
}

// Attachments lists a ticket's files in upload order.
func (s *Tickets) Attachments(ctx context.Context, ticketID int64) ([]ticket.Attachment, error) {
	rows, err := s.db.read().QueryContext(ctx, `SELECT `+attachmentCols+attachmentFrom+` WHERE a.ticket_id = $1 ORDER BY a.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: attachments: %w", err)
	}
	defer rows.Close()
	var out []ticket.Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, fmt.Errorf("store: attachments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AttachmentByID returns one file of a ticket.
func (s *Tickets) AttachmentByID(ctx context.Context, ticketID, id int64) (ticket.Attachment, error) {
	a, err := scanAttachment(s.db.read().QueryRowContext(ctx, `SELECT `+attachmentCols+attachmentFrom+` WHERE a.ticket_id = $1 AND a.id = $2`, ticketID, id))
	return a, notFound(err, "attachment.not_found", "attachment")
}
