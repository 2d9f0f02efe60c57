package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"helpdesk/internal/apperr"
	"helpdesk/internal/ticket"
)

// Tickets implements ticket.Store.
type Tickets struct{ db *DB }

// Tickets returns the ticket store.
func (db *DB) Tickets() *Tickets { return &Tickets{db: db} }

// ticketCols selects a ticket with the names of what it points to. The
// listing variant leaves the description out: queues never show it.
const ticketColsHead = `t.id, t.number, t.title, `
const ticketColsTail = `, t.category_id, c.key, t.priority, t.status, t.channel, t.requester_id, ru.login,
	t.org_id, COALESCE(o.name, ''), t.contact_phone, t.contact_email, t.group_id, COALESCE(g.key, ''), t.assignee_id,
	COALESCE(au.login, ''), t.custom_fields, t.version, t.created_at, t.updated_at, t.first_response_at, t.resolved_at, t.closed_at,
	t.escalation_level, t.customer_escalation_level, t.parent_id, COALESCE(pt.number, ''), t.resolutions, t.sla_state`
const ticketFrom = ` FROM tickets t` + ticketJoins
const ticketJoins = `
	JOIN categories c ON c.id = t.category_id
	JOIN users ru ON ru.id = t.requester_id
	LEFT JOIN orgs o ON o.id = t.org_id
	LEFT JOIN support_groups g ON g.id = t.group_id
	LEFT JOIN users au ON au.id = t.assignee_id
	LEFT JOIN tickets pt ON pt.id = t.parent_id`

const ticketSelect = `SELECT ` + ticketColsHead + `t.description` + ticketColsTail + ticketFrom

// ticketPageSelect joins the columns onto a page of ids chosen by an
// inner query (a "deferred join"): the inner query sorts and limits on
// the index alone, and only the rows of the page are joined.
const ticketPageSelect = `SELECT ` + ticketColsHead + `''` + ticketColsTail + ` FROM (%s) page JOIN tickets t ON t.id = page.id` + ticketJoins

func scanTicket(row scanner) (ticket.Ticket, error) {
	var t ticket.Ticket
	var org, group, assignee, firstResp, resolved, closed, parent sql.NullInt64
	var created, updated int64
	var fields, slaState string
	err := row.Scan(&t.ID, &t.Number, &t.Title, &t.Description, &t.CategoryID, &t.CategoryKey, &t.Priority, &t.Status,
		&t.Channel, &t.RequesterID, &t.Requester, &org, &t.OrgName, &t.ContactPhone, &t.ContactEmail, &group, &t.GroupKey,
		&assignee, &t.Assignee, &fields, &t.Version, &created, &updated, &firstResp, &resolved, &closed,
		&t.EscalationLevel, &t.CustomerEscalationLevel, &parent, &t.ParentNumber, &t.Resolutions, &slaState)
	if err != nil {
		return t, err
	}
	if t.SLA, err = decodeSLA(slaState); err != nil {
		return t, err
	}
	t.OrgID, t.GroupID, t.AssigneeID, t.ParentID = org.Int64, group.Int64, assignee.Int64, parent.Int64
	t.CreatedAt, t.UpdatedAt = tm(sql.NullInt64{Int64: created, Valid: true}), tm(sql.NullInt64{Int64: updated, Valid: true})
	t.FirstResponseAt, t.ResolvedAt, t.ClosedAt = tm(firstResp), tm(resolved), tm(closed)
	if fields != "" && fields != "{}" {
		if err := json.Unmarshal([]byte(fields), &t.CustomFields); err != nil {
			return t, fmt.Errorf("custom fields: %w", err)
		}
	}
	return t, nil
}

func encodeCustom(f map[string]any) string {
	if len(f) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(f)
	return string(b)
}

// TicketByNumber returns a ticket by number.
func (s *Tickets) TicketByNumber(ctx context.Context, number string) (ticket.Ticket, error) {
	t, err := scanTicket(s.db.read().QueryRowContext(ctx, ticketSelect+` WHERE t.number = $1`, number))
	return t, notFound(err, "ticket.not_found", "ticket "+number)
}

func (s *Tickets) ticketByID(ctx context.Context, q queryer, id int64) (ticket.Ticket, error) {
	t, err := scanTicket(q.QueryRowContext(ctx, ticketSelect+` WHERE t.id = $1`, id))
	return t, notFound(err, "ticket.not_found", "ticket")
}

// errReplay rolls back a creation whose idempotency key was used already.
var errReplay = errors.New("idempotent replay")

// CreateTicket numbers and inserts a ticket with its first events. The
// day's counter row is incremented in the same transaction, so a rolled-back
// creation gives its number back: numbers are unique and gapless per day on
// every engine and across nodes. Concurrent creations share one transaction
// (see batcher), each inside its own savepoint.
func (s *Tickets) CreateTicket(ctx context.Context, rec ticket.NewRecord) (ticket.Ticket, bool, error) {
	if rec.IdempotencyKey != "" {
		if t, ok, err := s.replay(ctx, rec); ok || err != nil {
			return t, ok, err
		}
	}
	var t ticket.Ticket
	err := s.db.batch.do(ctx, func(ctx context.Context, tx conn) error {
		var err error
		if t, err = insertTicket(ctx, tx, rec); err != nil {
			return err
		}
		// Search index, in the same transaction (search.go).
		return s.db.indexTicket(ctx, tx, t, true)
	})
	if errors.Is(err, errReplay) {
		t, ok, err := s.replay(ctx, rec)
		if err == nil && !ok {
			err = fmt.Errorf("store: idempotency key vanished")
		}
		return t, ok, err
	}
	return t, false, err
}

// insertTicket does the inserts of one creation inside tx.
func insertTicket(ctx context.Context, tx conn, rec ticket.NewRecord) (ticket.Ticket, error) {
	t := rec.Ticket
	var serial int64
	err := tx.QueryRowContext(ctx, `INSERT INTO ticket_counters (day, last) VALUES ($1, 1)
		ON CONFLICT (day) DO UPDATE SET last = ticket_counters.last + 1 RETURNING last`, rec.Day).Scan(&serial)
	if err != nil {
		return t, fmt.Errorf("store: ticket number: %w", err)
	}
	t.Number = fmt.Sprintf("TS%s%03d", rec.Day, serial)
	slaState, slaNext := encodeSLA(t.SLA)
	err = tx.QueryRowContext(ctx, `INSERT INTO tickets (number, title, description, category_id, priority, status, channel,
		requester_id, org_id, contact_phone, contact_email, group_id, assignee_id, custom_fields, version, created_at, updated_at,
		first_response_at, resolved_at, closed_at, parent_id, sla_state, sla_next_due)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23) RETURNING id`,
		t.Number, t.Title, t.Description, t.CategoryID, string(t.Priority), string(t.Status), string(t.Channel),
		t.RequesterID, nullID(t.OrgID), t.ContactPhone, t.ContactEmail, nullID(t.GroupID), nullID(t.AssigneeID),
		encodeCustom(t.CustomFields), t.Version, t.CreatedAt.UnixMicro(), t.UpdatedAt.UnixMicro(),
		us(t.FirstResponseAt), us(t.ResolvedAt), us(t.ClosedAt), nullID(t.ParentID), slaState, slaNext).Scan(&t.ID)
	if err != nil {
		return t, fmt.Errorf("store: insert ticket: %w", err)
	}
	if rec.Timers != nil {
		if err := applyTimers(ctx, tx, ticket.Change{Timers: rec.Timers(t)}); err != nil {
			return t, err
		}
	}
	if err := insertEvents(ctx, tx, t.ID, rec.Events); err != nil {
		return t, err
	}
	// Reports: mark the ticket's report fact stale (see report.go).
	if err := markReport(ctx, tx, t.ID, t.Version); err != nil {
		return t, err
	}
	if rec.IdempotencyKey != "" {
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, ticket_id, created_at) VALUES ($1,$2,$3,$4)
			ON CONFLICT DO NOTHING`, rec.CreatedBy, rec.IdempotencyKey, t.ID, t.CreatedAt.UnixMicro())
		if err != nil {
			return t, fmt.Errorf("store: idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return t, errReplay // a concurrent request with the same key won
		}
	}
	return t, nil
}

// replay returns the ticket created earlier under the record's idempotency key.
func (s *Tickets) replay(ctx context.Context, rec ticket.NewRecord) (ticket.Ticket, bool, error) {
	var id int64
	err := s.db.write().QueryRowContext(ctx, `SELECT ticket_id FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
		rec.CreatedBy, rec.IdempotencyKey).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return ticket.Ticket{}, false, nil
	}
	if err != nil {
		return ticket.Ticket{}, false, fmt.Errorf("store: idempotency key: %w", err)
	}
	t, err := s.ticketByID(ctx, s.db.write(), id)
	return t, err == nil, err
}

func insertEvents(ctx context.Context, tx conn, ticketID int64, events []ticket.Event) error {
	for _, e := range events {
		_, err := tx.ExecContext(ctx, `INSERT INTO ticket_events (ticket_id, actor_id, actor, kind, field, from_value, to_value,
			comment, internal, at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
			ticketID, nullID(e.ActorID), e.Actor, string(e.Kind), e.Field, e.From, e.To, e.Comment, e.Internal, e.At.UnixMicro())
		if err != nil {
			return fmt.Errorf("store: insert event: %w", err)
		}
	}
	return nil
}

// ApplyChange saves a ticket's new state, its events and any message or
// attachment in one transaction, if the ticket is still at ExpectVersion.
func (s *Tickets) ApplyChange(ctx context.Context, c ticket.Change) (ticket.Ticket, error) {
	t := c.Ticket
	slaState, slaNext := encodeSLA(t.SLA)
	var out ticket.Ticket
	err := s.db.change(ctx, func(ctx context.Context, tx conn) error {
		res, err := tx.ExecContext(ctx, `UPDATE tickets SET title=$1, description=$2, category_id=$3, priority=$4, status=$5,
			contact_phone=$6, contact_email=$7, group_id=$8, assignee_id=$9, custom_fields=$10, version=version+1,
			updated_at=$11, first_response_at=$12, resolved_at=$13, closed_at=$14, escalation_level=$15,
			customer_escalation_level=$16, resolutions=$17, sla_state=$18, sla_next_due=$19
			WHERE id=$20 AND version=$21`,
			t.Title, t.Description, t.CategoryID, string(t.Priority), string(t.Status), t.ContactPhone, t.ContactEmail,
			nullID(t.GroupID), nullID(t.AssigneeID), encodeCustom(t.CustomFields), t.UpdatedAt.UnixMicro(),
			us(t.FirstResponseAt), us(t.ResolvedAt), us(t.ClosedAt), t.EscalationLevel, t.CustomerEscalationLevel,
			t.Resolutions, slaState, slaNext, t.ID, c.ExpectVersion)
		if err != nil {
			return fmt.Errorf("store: update ticket: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, ticket.CodeVersionMismatch)
		}
		if m := c.Message; m != nil {
			err := tx.QueryRowContext(ctx, `INSERT INTO ticket_messages (ticket_id, author_id, body, internal, created_at)
				VALUES ($1,$2,$3,$4,$5) RETURNING id`, t.ID, nullID(m.AuthorID), m.Body, m.Internal, m.CreatedAt.UnixMicro()).Scan(&m.ID)
			if err != nil {
				return fmt.Errorf("store: insert message: %w", err)
			}
			// Search index, in the same transaction (search.go).
			if err := s.db.indexMessage(ctx, tx, m.ID, m.Body, true); err != nil {
				return err
			}
		}
		if contentChanged(c) { // title, description, group or assignee changed: refresh the search document (search.go)
			if err := s.db.indexTicket(ctx, tx, t, false); err != nil {
				return err
			}
		}
		if a := c.Attachment; a != nil {
			err := tx.QueryRowContext(ctx, `INSERT INTO ticket_attachments (ticket_id, uploader_id, filename, content_type, size,
				sha256, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`,
				t.ID, nullID(a.UploaderID), a.Filename, a.ContentType, a.Size, a.SHA256, a.CreatedAt.UnixMicro()).Scan(&a.ID)
			if err != nil {
				return fmt.Errorf("store: insert attachment: %w", err)
			}
		}
		if err := insertEvents(ctx, tx, t.ID, c.Events); err != nil {
			return err
		}
		if err := applyLifecycle(ctx, tx, t, c); err != nil {
			return err
		}
		if out, err = s.ticketByID(ctx, tx, t.ID); err != nil {
			return err
		}
		// Reports: mark the ticket's report fact stale (see report.go).
		return markReport(ctx, tx, out.ID, out.Version)
	})
	return out, err
}

// sortColumns whitelists the sort keys; nothing else reaches ORDER BY.
var sortColumns = map[ticket.SortKey]string{
	ticket.SortUpdated:  "t.updated_at",
	ticket.SortCreated:  "t.created_at",
	ticket.SortPriority: "t.priority",
}

// ListTickets runs a listing with keyset pagination: the cursor is a
// (sort value, id) pair compared as a row, so each page is an index range
// scan however deep the caller pages, and no count is computed.
func (s *Tickets) ListTickets(ctx context.Context, q ticket.Query) ([]ticket.Ticket, error) {
	col, ok := sortColumns[q.Sort]
	if !ok {
		return nil, fmt.Errorf("store: sort %q not allowed", q.Sort)
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	in := func(vals []string) string {
		ph := make([]string, len(vals))
		for i, v := range vals {
			ph[i] = arg(v)
		}
		return strings.Join(ph, ",")
	}
	switch sc := q.Scope; {
	case sc.All:
	case sc.UserID != 0 && q.AssigneeID == sc.UserID:
		// Staff always see what is assigned to them: the filter implies the scope.
	case len(sc.GroupIDs) > 0 && slices.Contains(sc.GroupIDs, q.GroupID):
		// A filter on one of the caller's groups implies the scope too.
	case sc.RequesterID != 0 && sc.OrgID != 0:
		where = append(where, "(t.requester_id = "+arg(sc.RequesterID)+" OR t.org_id = "+arg(sc.OrgID)+")")
	case sc.RequesterID != 0:
		where = append(where, "t.requester_id = "+arg(sc.RequesterID))
	case len(sc.GroupIDs) > 0:
		ph := make([]string, len(sc.GroupIDs))
		for i, g := range sc.GroupIDs {
			ph[i] = arg(g)
		}
		// An agent's groups usually hold a large share of all tickets. Left
		// to itself, SQLite (without fresh statistics) unions the group and
		// assignee indexes and sorts every match; walking the sort index and
		// filtering finds a page after a few dozen rows instead. The unary
		// plus keeps SQLite off those indexes. With a status filter the
		// (group, status) index is the better path and stays usable.
		plus := ""
		if s.db.engine == SQLite && len(q.Statuses) == 0 {
			plus = "+"
		}
		where = append(where, "("+plus+"t.group_id IN ("+strings.Join(ph, ",")+") OR "+plus+"t.assignee_id = "+arg(sc.UserID)+")")
	case sc.UserID != 0:
		where = append(where, "t.assignee_id = "+arg(sc.UserID))
	default:
		return nil, nil // a scope that sees nothing
	}
	if len(q.Statuses) > 0 {
		v := make([]string, len(q.Statuses))
		for i, st := range q.Statuses {
			v[i] = string(st)
		}
		where = append(where, "t.status IN ("+in(v)+")")
	}
	if len(q.Priorities) > 0 {
		v := make([]string, len(q.Priorities))
		for i, p := range q.Priorities {
			v[i] = string(p)
		}
		where = append(where, "t.priority IN ("+in(v)+")")
	}
	if q.CategoryID != 0 {
		where = append(where, "t.category_id = "+arg(q.CategoryID))
	}
	if q.GroupID != 0 {
		where = append(where, "t.group_id = "+arg(q.GroupID))
	}
	if q.Unassigned {
		where = append(where, "t.assignee_id IS NULL")
	} else if q.AssigneeID != 0 {
		where = append(where, "t.assignee_id = "+arg(q.AssigneeID))
	}
	if q.RequesterID != 0 {
		where = append(where, "t.requester_id = "+arg(q.RequesterID))
	}
	if !q.CreatedFrom.IsZero() {
		where = append(where, "t.created_at >= "+arg(q.CreatedFrom.UnixMicro()))
	}
	if !q.CreatedTo.IsZero() {
		where = append(where, "t.created_at < "+arg(q.CreatedTo.UnixMicro()))
	}
	dir, cmp := "ASC", ">"
	if q.Desc {
		dir, cmp = "DESC", "<"
	}
	if q.After != nil {
		where = append(where, "("+col+", t.id) "+cmp+" ("+arg(q.After.Value)+", "+arg(q.After.ID)+")")
	}
	inner := "SELECT t.id FROM tickets t"
	if len(where) > 0 {
		inner += " WHERE " + strings.Join(where, " AND ")
	}
	order := " ORDER BY " + col + " " + dir + ", t.id " + dir
	// The limit is a literal: SQLite re-prepares a statement whose LIMIT is
	// a bound parameter on every run, which cost more than the query.
	inner += order + fmt.Sprintf(" LIMIT %d", max(1, q.Limit))
	sqlq := fmt.Sprintf(ticketPageSelect, inner) + order
	rows, err := s.db.read().QueryContext(ctx, sqlq, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list tickets: %w", err)
	}
	defer rows.Close()
	out := make([]ticket.Ticket, 0, q.Limit)
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list tickets: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ImportTickets inserts many tickets in one transaction, numbered like
// any other. It serves bulk loads (migrations from another desk, test and
// benchmark corpora), where one transaction per ticket would be too slow.
func (s *Tickets) ImportTickets(ctx context.Context, recs []ticket.NewRecord) ([]ticket.Ticket, error) {
	out := make([]ticket.Ticket, 0, len(recs))
	simple := !slices.ContainsFunc(recs, func(r ticket.NewRecord) bool { return r.Timers != nil || r.IdempotencyKey != "" })
	err := s.db.tx(ctx, func(tx conn) error {
		if simple {
			var err error
			out, err = s.db.importBatch(ctx, tx, recs)
			return err
		}
		for _, r := range recs {
			t, err := insertTicket(ctx, tx, r)
			if err != nil {
				return err
			}
			if err := s.db.indexTicket(ctx, tx, t, true); err != nil {
				return err
			}
			out = append(out, t)
		}
		return nil
	})
	return out, err
}
