package store

import (
	"context"
	"fmt"
	"strings"

	"helpdesk/internal/search"
	"helpdesk/internal/ticket"
)

// Bulk writes (imports, reindex) send many rows per statement: on
// PostgreSQL every statement is a round trip, and on SQLite every
// statement is a call through the driver. Statements hold at most
// bulkParams parameters (SQLite allows 32,766 and PostgreSQL 65,535), so a
// full chunk always has the same text and its prepared statement is reused.
const bulkParams = 8000

// insertRows inserts rows of len(rows[i]) == cols values with one
// statement per chunk: head is "INSERT INTO t (a, b)", cast optionally
// gives a per-column suffix for the placeholder ("::tsvector"), tail is
// appended after the VALUES list (ON CONFLICT …). each, when not nil,
// receives the rows of a RETURNING tail.
func (db *DB) insertRows(ctx context.Context, tx conn, head string, cols int, cast []string, tail string, rows [][]any,
	each func(scan func(dst ...any) error) error) error {
	per := max(1, bulkParams/cols)
	for from := 0; from < len(rows); from += per {
		chunk := rows[from:min(len(rows), from+per)]
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(" VALUES ")
		args := make([]any, 0, len(chunk)*cols)
		for i, r := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for j, v := range r {
				if j > 0 {
					b.WriteByte(',')
				}
				args = append(args, v)
				if db.engine == Postgres {
					fmt.Fprintf(&b, "$%d", len(args))
				} else {
					// Anonymous: SQLite looks numbered parameters up in a
					// list, once per parameter at prepare and at bind, which
					// is quadratic in a statement of thousands.
					b.WriteByte('?')
				}
				if j < len(cast) {
					b.WriteString(cast[j])
				}
			}
			b.WriteByte(')')
		}
		b.WriteString(tail)
		if each == nil {
			if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
				return err
			}
			continue
		}
		rs, err := tx.QueryContext(ctx, b.String(), args...)
		if err != nil {
			return err
		}
		for rs.Next() {
			if err := each(rs.Scan); err != nil {
				rs.Close()
				return err
			}
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
	}
	return nil
}

// importBatch inserts records that need no timers and no idempotency key
// with a few multi-row statements: the day counters once per day, then
// tickets, events, report marks and search documents. Numbers are the
// same as one-by-one creation would give (per day, in record order).
func (db *DB) importBatch(ctx context.Context, tx conn, recs []ticket.NewRecord) ([]ticket.Ticket, error) {
	out := make([]ticket.Ticket, len(recs))
	count := map[string]int64{}
	var days []string
	for _, r := range recs {
		if count[r.Day] == 0 {
			days = append(days, r.Day)
		}
		count[r.Day]++
	}
	next := map[string]int64{}
	for _, d := range days {
		var last int64
		err := tx.QueryRowContext(ctx, `INSERT INTO ticket_counters (day, last) VALUES ($1, $2)
			ON CONFLICT (day) DO UPDATE SET last = ticket_counters.last + excluded.last RETURNING last`, d, count[d]).Scan(&last)
		if err != nil {
			return nil, fmt.Errorf("store: ticket number: %w", err)
		}
		next[d] = last - count[d] + 1
	}
	byNumber := make(map[string]int, len(recs))
	rows := make([][]any, len(recs))
	for i, r := range recs {
		t := r.Ticket
		t.Number = fmt.Sprintf("TS%s%03d", r.Day, next[r.Day])
		next[r.Day]++
		byNumber[t.Number] = i
		out[i] = t
		slaState, slaNext := encodeSLA(t.SLA)
		rows[i] = []any{t.Number, t.Title, t.Description, t.CategoryID, string(t.Priority), string(t.Status), string(t.Channel),
			t.RequesterID, nullID(t.OrgID), t.ContactPhone, t.ContactEmail, nullID(t.GroupID), nullID(t.AssigneeID),
			encodeCustom(t.CustomFields), t.Version, t.CreatedAt.UnixMicro(), t.UpdatedAt.UnixMicro(),
			us(t.FirstResponseAt), us(t.ResolvedAt), us(t.ClosedAt), nullID(t.ParentID), slaState, slaNext}
	}
	err := db.insertRows(ctx, tx, `INSERT INTO tickets (number, title, description, category_id, priority, status, channel,
		requester_id, org_id, contact_phone, contact_email, group_id, assignee_id, custom_fields, version, created_at, updated_at,
		first_response_at, resolved_at, closed_at, parent_id, sla_state, sla_next_due)`, 23, nil, ` RETURNING id, number`, rows,
		func(scan func(dst ...any) error) error {
			var id int64
			var num string
			if err := scan(&id, &num); err != nil {
				return err
			}
			out[byNumber[num]].ID = id
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: insert tickets: %w", err)
	}
	rows = rows[:0]
	marks := make([][]any, len(out))
	for i, t := range out {
		for _, e := range recs[i].Events {
			rows = append(rows, []any{t.ID, nullID(e.ActorID), e.Actor, string(e.Kind), e.Field, e.From, e.To, e.Comment,
				e.Internal, e.At.UnixMicro()})
		}
		marks[i] = []any{t.ID, t.Version}
	}
	if err := db.insertRows(ctx, tx, `INSERT INTO ticket_events (ticket_id, actor_id, actor, kind, field, from_value, to_value,
		comment, internal, at)`, 10, nil, "", rows, nil); err != nil {
		return nil, fmt.Errorf("store: insert events: %w", err)
	}
	if err := db.insertRows(ctx, tx, `INSERT INTO report_marks (ticket_id, version)`, 2, nil,
		` ON CONFLICT (ticket_id) DO UPDATE SET version = excluded.version`, marks, nil); err != nil {
		return nil, fmt.Errorf("store: report marks: %w", err)
	}
	if err := db.indexTickets(ctx, tx, out, true); err != nil {
		return nil, err
	}
	return out, nil
}

// indexTickets writes the search documents of many tickets inside tx, as
// indexTicket does for one. fresh says none of them has a document yet.
func (db *DB) indexTickets(ctx context.Context, tx conn, ts []ticket.Ticket, fresh bool) error {
	if len(ts) == 0 {
		return nil
	}
	rows := make([][]any, len(ts))
	var err error
	if db.engine == Postgres {
		for i, t := range ts {
			rows[i] = []any{t.ID, ticketVector(t)}
		}
		err = db.insertRows(ctx, tx, `INSERT INTO ticket_search (ticket_id, doc)`, 2, []string{"", "::tsvector"},
			pgIndexConflict("ticket_id", fresh), rows, nil)
	} else {
		if !fresh {
			if err := db.unindexFTS(ctx, tx, "ticket_fts", ts[0].ID, ts[len(ts)-1].ID); err != nil {
				return err
			}
		}
		for i, t := range ts {
			rows[i] = []any{t.ID, search.IndexText(ticketTitle(t.Number, t.Title)), search.IndexText(t.Description),
				strings.Join(scopeTokens(t), " ")}
		}
		err = db.insertRows(ctx, tx, `INSERT INTO ticket_fts (rowid, title, body, scope)`, 4, nil, "", rows, nil)
	}
	if err != nil {
		return fmt.Errorf("store: index tickets: %w", err)
	}
	return nil
}

// unindexFTS removes the FTS5 rows with rowids in [lo, hi] before they
// are written again. A rowid that has no row is not deleted: in a
// contentless_delete table every delete costs a tombstone, and after a
// reindex's delete-all almost none exist.
func (db *DB) unindexFTS(ctx context.Context, tx conn, table string, lo, hi int64) error {
	if lo > hi {
		lo, hi = hi, lo
	}
	rs, err := tx.QueryContext(ctx, `SELECT rowid FROM `+table+` WHERE rowid BETWEEN $1 AND $2`, lo, hi)
	if err != nil {
		return fmt.Errorf("store: unindex %s: %w", table, err)
	}
	var ids []int64
	for rs.Next() {
		var id int64
		if err := rs.Scan(&id); err != nil {
			rs.Close()
			return fmt.Errorf("store: unindex %s: %w", table, err)
		}
		ids = append(ids, id)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return fmt.Errorf("store: unindex %s: %w", table, err)
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE rowid = $1`, id); err != nil {
			return fmt.Errorf("store: unindex %s: %w", table, err)
		}
	}
	return nil
}

// pgIndexConflict is the ON CONFLICT clause of a PostgreSQL search document
// insert. A fresh one (the row was just inserted, or the index was just
// emptied for a rebuild) keeps a document already there: it can only have
// been written since, by the change itself, and so is never older than the
// one being written. Otherwise the new document replaces the old.
func pgIndexConflict(key string, fresh bool) string {
	if fresh {
		return " ON CONFLICT (" + key + ") DO NOTHING"
	}
	return " ON CONFLICT (" + key + ") DO UPDATE SET doc = EXCLUDED.doc"
}

// indexMessages writes the search documents of messages inside tx, many
// rows per statement (the reindex; a new message uses indexMessage).
func (db *DB) indexMessages(ctx context.Context, tx conn, ids []int64, bodies []string, fresh bool) error {
	if len(ids) == 0 {
		return nil
	}
	rows := make([][]any, len(ids))
	var err error
	if db.engine == Postgres {
		for i, id := range ids {
			rows[i] = []any{id, search.TSVector(search.Field{Text: bodies[i]})}
		}
		err = db.insertRows(ctx, tx, `INSERT INTO message_search (message_id, doc)`, 2, []string{"", "::tsvector"},
			pgIndexConflict("message_id", fresh), rows, nil)
	} else {
		if !fresh {
			if err := db.unindexFTS(ctx, tx, "message_fts", ids[0], ids[len(ids)-1]); err != nil {
				return err
			}
		}
		for i, id := range ids {
			rows[i] = []any{id, search.IndexText(bodies[i])}
		}
		err = db.insertRows(ctx, tx, `INSERT INTO message_fts (rowid, body)`, 2, nil, "", rows, nil)
	}
	if err != nil {
		return fmt.Errorf("store: index messages: %w", err)
	}
	return nil
}
