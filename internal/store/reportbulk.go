package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"helpdesk/internal/report"
	"helpdesk/internal/ticket"
)

// BulkTickets inserts tickets as they are (number included) with multi-row
// inserts in one transaction, without history, marks or timers: for
// benchmark corpora and imports whose facts are written with BulkFacts.
// It fills in the ids.
func (s *Reports) BulkTickets(ctx context.Context, ts []ticket.Ticket) error {
	const cols = 19
	return s.db.tx(ctx, func(tx conn) error {
		for start := 0; start < len(ts); start += 500 {
			chunk := ts[start:min(start+500, len(ts))]
			var b strings.Builder
			b.WriteString(`INSERT INTO tickets (number, title, description, category_id, priority, status, channel, requester_id,
				org_id, contact_phone, contact_email, group_id, assignee_id, version, created_at, updated_at, first_response_at,
				resolved_at, closed_at) VALUES `)
			args := make([]any, 0, len(chunk)*cols)
			for i, t := range chunk {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteByte('(')
				for c := range cols {
					if c > 0 {
						b.WriteByte(',')
					}
					s.db.placeholder(&b, i*cols+c+1)
				}
				b.WriteByte(')')
				args = append(args, t.Number, t.Title, t.Description, t.CategoryID, string(t.Priority), string(t.Status),
					string(t.Channel), t.RequesterID, nullID(t.OrgID), t.ContactPhone, t.ContactEmail, nullID(t.GroupID),
					nullID(t.AssigneeID), t.Version, t.CreatedAt.UnixMicro(), t.UpdatedAt.UnixMicro(), us(t.FirstResponseAt),
					us(t.ResolvedAt), us(t.ClosedAt))
			}
			b.WriteString(` RETURNING id`)
			rows, err := tx.tx.QueryContext(ctx, b.String(), args...)
			if err != nil {
				return fmt.Errorf("store: bulk tickets: %w", err)
			}
			i := 0
			for rows.Next() {
				if err := rows.Scan(&chunk[i].ID); err != nil {
					rows.Close()
					return fmt.Errorf("store: bulk tickets: %w", err)
				}
				i++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("store: bulk tickets: %w", err)
			}
		}
		return nil
	})
}

// BulkFacts inserts facts of tickets that have none yet, without touching
// the rollups; RebuildRollups sums them afterwards.
func (s *Reports) BulkFacts(ctx context.Context, fs []report.Fact) error {
	const cols = 14
	return s.db.tx(ctx, func(tx conn) error {
		for start := 0; start < len(fs); start += 500 {
			chunk := fs[start:min(start+500, len(fs))]
			var b strings.Builder
			b.WriteString(`INSERT INTO report_facts (ticket_id, number, created_at, first_day, last_day, group_id, agent_id,
				category_id, priority, channel, org_id, open, breaches, parts) VALUES `)
			args := make([]any, 0, len(chunk)*cols)
			for i, f := range chunk {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteByte('(')
				for c := range cols {
					if c > 0 {
						b.WriteByte(',')
					}
					s.db.placeholder(&b, i*cols+c+1)
				}
				b.WriteByte(')')
				k := f.Keys
				first := report.DayOf(f.CreatedAt)
				if len(f.Parts) > 0 {
					first = f.Parts[0].Day
				}
				args = append(args, f.TicketID, f.Number, f.CreatedAt.UnixMicro(), first, f.LastDay(), k.Group, k.Agent, k.Category,
					k.Value(report.DimPriority), k.Value(report.DimChannel), k.Org, f.Open, encodeBreaches(f.Breaches), encodeParts(f.Parts))
			}
			if _, err := tx.tx.ExecContext(ctx, b.String(), args...); err != nil {
				return fmt.Errorf("store: bulk facts: %w", err)
			}
		}
		return nil
	})
}

// RebuildRollups recomputes every daily sum from the stored facts, as
// after a bulk load. It reads the facts once per group of rollups, so only
// one group's sums are held in memory at a time (the pairs with agent or
// organization have up to one row per ticket and day).
func (s *Reports) RebuildRollups(ctx context.Context) error {
	if err := s.db.tx(ctx, func(tx conn) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM report_daily`)
		return err
	}); err != nil {
		return fmt.Errorf("store: rollup rebuild: %w", err)
	}
	var passes [][]rollSpec
	var cur []rollSpec
	for _, r := range rollSpecs {
		// Singles together; pairs by their first dimension.
		if len(cur) > 0 && r.b != "" && cur[0].a != r.a {
			passes, cur = append(passes, cur), nil
		}
		cur = append(cur, r)
	}
	passes = append(passes, cur)
	for _, specs := range passes {
		if err := s.rebuild(ctx, specs); err != nil {
			return err
		}
	}
	return nil
}

func (s *Reports) rebuild(ctx context.Context, specs []rollSpec) error {
	sums := map[rollKey]*report.Cell{}
	err := s.each(ctx, `SELECT group_id, agent_id, category_id, priority, channel, org_id, parts FROM report_facts`, func(r *sql.Rows) error {
		var k report.Keys
		var pri, ch int64
		var parts []byte
		if err := r.Scan(&k.Group, &k.Agent, &k.Category, &pri, &ch, &k.Org, &parts); err != nil {
			return err
		}
		k.Priority, k.Channel = nameAt(report.Priorities, pri), nameAt(report.Channels, ch)
		return addFactParts(sums, specs, k, parts, 1)
	})
	if err != nil {
		return err
	}
	keys := make([]rollKey, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	// In key order, so each insert appends to the primary key's b-tree.
	slices.SortFunc(keys, func(x, y rollKey) int {
		return cmp.Or(strings.Compare(x.dim, y.dim), cmp.Compare(x.value2, y.value2), cmp.Compare(x.value, y.value), cmp.Compare(x.day, y.day))
	})
	return s.db.tx(ctx, func(tx conn) error {
		const cols = 6
		for start := 0; start < len(keys); start += 500 {
			chunk := keys[start:min(start+500, len(keys))]
			var b strings.Builder
			b.WriteString(`INSERT INTO report_daily (dim, value, value2, day, net, cell) VALUES `)
			args := make([]any, 0, len(chunk)*cols)
			for i, k := range chunk {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteByte('(')
				for c := range cols {
					if c > 0 {
						b.WriteByte(',')
					}
					s.db.placeholder(&b, i*cols+c+1)
				}
				b.WriteByte(')')
				c := sums[k]
				args = append(args, k.dim, k.value, k.value2, k.day, c.NetDay(), cellBytes(c))
			}
			if _, err := tx.tx.ExecContext(ctx, b.String(), args...); err != nil {
				return fmt.Errorf("store: rollup rebuild: %w", err)
			}
		}
		return nil
	})
}

// placeholder writes parameter n: "?" on SQLite, whose lookup of named
// parameters ($n) is linear in their number and made 10,000-parameter
// inserts quadratic; "$n" on PostgreSQL.
func (db *DB) placeholder(b *strings.Builder, n int) {
	if db.engine == SQLite {
		b.WriteByte('?')
		return
	}
	b.WriteByte('$')
	b.WriteString(strconv.Itoa(n))
}

// ReportSizes counts what a bulk load wrote.
type ReportSizes struct {
	Tickets, Facts, Marks int64
	// LastRollup counts rows of the rollup RebuildRollups writes last:
	// zero until a rebuild finished.
	LastRollup int64
}

// Sizes counts tickets, facts, marks and the last rollup's rows, so a
// benchmark can tell a complete kept corpus from an interrupted one.
func (s *Reports) Sizes(ctx context.Context) (ReportSizes, error) {
	var z ReportSizes
	last := rollSpecs[len(rollSpecs)-1].name()
	err := s.db.read().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM tickets), (SELECT COUNT(*) FROM report_facts),
		(SELECT COUNT(*) FROM report_marks), (SELECT COUNT(*) FROM report_daily WHERE dim = $1)`, last).
		Scan(&z.Tickets, &z.Facts, &z.Marks, &z.LastRollup)
	if err != nil {
		return z, fmt.Errorf("store: report sizes: %w", err)
	}
	return z, nil
}

// MarkAll marks every ticket for the refresh job, which then computes all
// facts and rollups again (as migration 00015 did); it returns how many.
func (s *Reports) MarkAll(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.tx(ctx, func(tx conn) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO report_marks (ticket_id, version) SELECT id, version FROM tickets WHERE true
			ON CONFLICT (ticket_id) DO UPDATE SET version = excluded.version`)
		if err != nil {
			return err
		}
		n, err = r.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: report mark all: %w", err)
	}
	return n, nil
}
