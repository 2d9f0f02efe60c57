package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"helpdesk/internal/report"
	"helpdesk/internal/ticket"
)

// Reports implements report.Store and report.RefreshStore.
type Reports struct{ db *DB }

// Reports returns the report store.
func (db *DB) Reports() *Reports { return &Reports{db: db} }

var (
	_ report.Store        = (*Reports)(nil)
	_ report.RefreshStore = (*Reports)(nil)
)

// markReport is the one line the ticket store adds to every ticket write:
// it notes, in the same transaction, that the ticket's report fact is stale.
// The report.refresh job does the rest, outside the ticket's transaction.
func markReport(ctx context.Context, tx conn, ticketID int64, version int) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO report_marks (ticket_id, version) VALUES ($1, $2)
		ON CONFLICT (ticket_id) DO UPDATE SET version = excluded.version`, ticketID, version); err != nil {
		return fmt.Errorf("store: report mark: %w", err)
	}
	return nil
}

// Marked returns up to limit marked tickets.
func (s *Reports) Marked(ctx context.Context, limit int) ([]report.Mark, error) {
	rows, err := s.db.read().QueryContext(ctx, fmt.Sprintf(`SELECT ticket_id, version FROM report_marks ORDER BY ticket_id LIMIT %d`, max(1, limit)))
	if err != nil {
		return nil, fmt.Errorf("store: report marks: %w", err)
	}
	defer rows.Close()
	var out []report.Mark
	for rows.Next() {
		var m report.Mark
		if err := rows.Scan(&m.TicketID, &m.Version); err != nil {
			return nil, fmt.Errorf("store: report marks: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Pending counts marked tickets waiting for the refresh.
func (s *Reports) Pending(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM report_marks`).Scan(&n)
	return n, err
}

func idList(ids []int64) string {
	b := make([]string, len(ids))
	for i, id := range ids {
		b[i] = fmt.Sprint(id)
	}
	return strings.Join(b, ",")
}

// Sources loads tickets with their history, ratings and follow-ups. The
// ids are integers from the marks table, written into the query as a list.
func (s *Reports) Sources(ctx context.Context, ids []int64) ([]report.Source, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list := idList(ids)
	q := s.db.read()
	rows, err := q.QueryContext(ctx, ticketSelect+` WHERE t.id IN (`+list+`)`)
	if err != nil {
		return nil, fmt.Errorf("store: report sources: %w", err)
	}
	byID := map[int64]*report.Source{}
	var order []int64
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: report sources: %w", err)
		}
		byID[t.ID] = &report.Source{Ticket: t}
		order = append(order, t.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.each(ctx, `SELECT ticket_id, COALESCE(actor_id, 0), kind, field, from_value, to_value, internal, at
		FROM ticket_events WHERE ticket_id IN (`+list+`) ORDER BY ticket_id, id`, func(r *sql.Rows) error {
		var e ticket.Event
		var at int64
		if err := r.Scan(&e.TicketID, &e.ActorID, &e.Kind, &e.Field, &e.From, &e.To, &e.Internal, &at); err != nil {
			return err
		}
		e.At = time.UnixMicro(at).UTC()
		if src := byID[e.TicketID]; src != nil {
			src.Events = append(src.Events, e)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := s.each(ctx, `SELECT ticket_id, resolution, rating, created_at FROM ticket_ratings WHERE ticket_id IN (`+list+`)`, func(r *sql.Rows) error {
		var x ticket.Rating
		var at int64
		if err := r.Scan(&x.TicketID, &x.Resolution, &x.Score, &at); err != nil {
			return err
		}
		x.CreatedAt = time.UnixMicro(at).UTC()
		if src := byID[x.TicketID]; src != nil {
			src.Ratings = append(src.Ratings, x)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := s.each(ctx, `SELECT id, ticket_id, due_at, done_at FROM followup_tasks WHERE ticket_id IN (`+list+`)`, func(r *sql.Rows) error {
		var f ticket.Followup
		var due int64
		var done sql.NullInt64
		if err := r.Scan(&f.ID, &f.TicketID, &due, &done); err != nil {
			return err
		}
		f.DueAt, f.DoneAt = time.UnixMicro(due).UTC(), tm(done)
		if src := byID[f.TicketID]; src != nil {
			src.Followups = append(src.Followups, f)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	out := make([]report.Source, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out, nil
}

func (s *Reports) each(ctx context.Context, q string, fn func(*sql.Rows) error, args ...any) error {
	rows, err := s.db.read().QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: report: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("store: report: %w", err)
		}
	}
	return rows.Err()
}

// rollSpec is one rollup: the daily sums per value of one dimension (b
// empty; DimAll has the one value 0), or per pair of values of two
// dimensions (a before b in report.Dims order), so a report with up to two
// filters, or a team report with one, reads rollup rows, not facts.
type rollSpec struct{ a, b report.Dim }

// name is the spec's report_daily.dim: "group", or "group+priority".
func (r rollSpec) name() string {
	if r.b == "" {
		return string(r.a)
	}
	return string(r.a) + "+" + string(r.b)
}

// rollSpecs lists every rollup kept: each dimension, then each pair.
var rollSpecs = func() []rollSpec {
	var out []rollSpec
	for _, d := range report.Dims {
		out = append(out, rollSpec{a: d})
	}
	for i, a := range report.Dims[1:] {
		for _, b := range report.Dims[i+2:] {
			out = append(out, rollSpec{a: a, b: b})
		}
	}
	return out
}()

// pairOf is the rollup of two distinct dimensions, in canonical order.
func pairOf(x, y report.Dim) rollSpec {
	if slices.Index(report.Dims, x) > slices.Index(report.Dims, y) {
		x, y = y, x
	}
	return rollSpec{a: x, b: y}
}

type rollKey struct {
	dim           string
	value, value2 int64
	day           int32
}

// keysOf returns the fact's rollup key under spec r (day left zero); ok is
// false when the fact has no value for one of its dimensions.
func (r rollSpec) keyOf(k report.Keys) (rollKey, bool) {
	key := rollKey{dim: r.name(), value: k.Value(r.a)}
	if r.a != report.DimAll && key.value == 0 {
		return key, false
	}
	if r.b != "" {
		if key.value2 = k.Value(r.b); key.value2 == 0 {
			return key, false
		}
	}
	return key, true
}

// addFactParts adds the fact's parts into d under each of specs, with sign.
func addFactParts(d map[rollKey]*report.Cell, specs []rollSpec, k report.Keys, parts []byte, sign int64) error {
	keys := make([]rollKey, 0, len(specs))
	for _, r := range specs {
		if key, ok := r.keyOf(k); ok {
			keys = append(keys, key)
		}
	}
	return eachPart(parts, func(day int32, c *report.Cell) {
		for _, key := range keys {
			key.day = day
			acc := d[key]
			if acc == nil {
				acc = &report.Cell{}
				d[key] = acc
			}
			acc.Add(c, sign)
		}
	})
}

// SaveFacts replaces the facts, moves the rollups by the difference and
// clears the marks still at the version read, in one transaction.
func (s *Reports) SaveFacts(ctx context.Context, facts []report.Fact, marks []report.Mark) error {
	return s.db.tx(ctx, func(tx conn) error {
		delta := map[rollKey]*report.Cell{}
		for _, f := range facts {
			var old report.Keys
			var oldParts []byte
			var pri, ch int64
			err := tx.QueryRowContext(ctx, `SELECT group_id, agent_id, category_id, priority, channel, org_id, parts
				FROM report_facts WHERE ticket_id = $1`, f.TicketID).Scan(&old.Group, &old.Agent, &old.Category, &pri, &ch, &old.Org, &oldParts)
			switch {
			case err == sql.ErrNoRows:
			case err != nil:
				return fmt.Errorf("store: report fact: %w", err)
			default:
				old.Priority, old.Channel = nameAt(report.Priorities, pri), nameAt(report.Channels, ch)
				if err := addFactParts(delta, rollSpecs, old, oldParts, -1); err != nil {
					return err
				}
			}
			parts := encodeParts(f.Parts)
			if err := addFactParts(delta, rollSpecs, f.Keys, parts, 1); err != nil {
				return err
			}
			if err := upsertFact(ctx, tx, f, parts); err != nil {
				return err
			}
		}
		if err := applyRollup(ctx, s.db, tx, delta); err != nil {
			return err
		}
		for _, m := range marks {
			if _, err := tx.ExecContext(ctx, `DELETE FROM report_marks WHERE ticket_id = $1 AND version = $2`, m.TicketID, m.Version); err != nil {
				return fmt.Errorf("store: report mark: %w", err)
			}
		}
		return nil
	})
}

func nameAt(list []string, i int64) string {
	if i < 1 || int(i) > len(list) {
		return ""
	}
	return list[i-1]
}

func upsertFact(ctx context.Context, tx conn, f report.Fact, parts []byte) error {
	k := f.Keys
	first, last := report.DayOf(f.CreatedAt), f.LastDay()
	if len(f.Parts) > 0 {
		first = f.Parts[0].Day
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO report_facts (ticket_id, number, created_at, first_day, last_day, group_id, agent_id,
		category_id, priority, channel, org_id, open, breaches, parts) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)
		ON CONFLICT (ticket_id) DO UPDATE SET number=excluded.number, created_at=excluded.created_at, first_day=excluded.first_day,
		last_day=excluded.last_day, group_id=excluded.group_id, agent_id=excluded.agent_id, category_id=excluded.category_id,
		priority=excluded.priority, channel=excluded.channel, org_id=excluded.org_id, open=excluded.open,
		breaches=excluded.breaches, parts=excluded.parts`,
		f.TicketID, f.Number, f.CreatedAt.UnixMicro(), first, last, k.Group, k.Agent, k.Category,
		k.Value(report.DimPriority), k.Value(report.DimChannel), k.Org, f.Open, encodeBreaches(f.Breaches), parts)
	if err != nil {
		return fmt.Errorf("store: report fact: %w", err)
	}
	return nil
}

// applyRollup adds the deltas to the daily rows (read, add, write: the
// refresh job is the only writer of the rollups, one run at a time). The
// current rows are read with one query per rollup value (its days are one
// key range) and written back with multi-row upserts: a row at a time was
// two round trips per row, which on PostgreSQL made the refresh ~90
// tickets/s.
func applyRollup(ctx context.Context, db *DB, tx conn, delta map[rollKey]*report.Cell) error {
	type series struct {
		dim           string
		value, value2 int64
	}
	days := map[series][2]int32{}
	for k, d := range delta {
		if d.Empty() {
			delete(delta, k)
			continue
		}
		sk := series{k.dim, k.value, k.value2}
		r, ok := days[sk]
		if !ok {
			r = [2]int32{k.day, k.day}
		}
		days[sk] = [2]int32{min(r[0], k.day), max(r[1], k.day)}
	}
	for sk, r := range days {
		rows, err := tx.QueryContext(ctx, `SELECT day, cell FROM report_daily WHERE dim = $1 AND value2 = $2 AND value = $3 AND day >= $4 AND day <= $5`,
			sk.dim, sk.value2, sk.value, r[0], r[1])
		if err != nil {
			return fmt.Errorf("store: rollup: %w", err)
		}
		for rows.Next() {
			var day int32
			var old []byte
			if err := rows.Scan(&day, &old); err != nil {
				rows.Close()
				return fmt.Errorf("store: rollup: %w", err)
			}
			d := delta[rollKey{sk.dim, sk.value, sk.value2, day}]
			if d == nil {
				continue
			}
			// The delta becomes the new row: old + delta.
			if err := decodeCell(old, d); err != nil {
				rows.Close()
				return fmt.Errorf("store: rollup %s/%d/%d/%d: %w", sk.dim, sk.value, sk.value2, day, err)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: rollup: %w", err)
		}
	}
	var put []rollKey
	for k, c := range delta {
		if !c.Empty() {
			put = append(put, k)
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_daily WHERE dim = $1 AND value2 = $2 AND value = $3 AND day = $4`,
			k.dim, k.value2, k.value, k.day); err != nil {
			return fmt.Errorf("store: rollup: %w", err)
		}
	}
	const cols = 6
	for start := 0; start < len(put); start += 500 {
		chunk := put[start:min(start+500, len(put))]
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
				db.placeholder(&b, i*cols+c+1)
			}
			b.WriteByte(')')
			c := delta[k]
			args = append(args, k.dim, k.value, k.value2, k.day, c.NetDay(), cellBytes(c))
		}
		b.WriteString(` ON CONFLICT (dim, value2, value, day) DO UPDATE SET net = excluded.net, cell = excluded.cell`)
		if _, err := tx.tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("store: rollup: %w", err)
		}
	}
	return nil
}

// CategoryID resolves a category key.
func (s *Reports) CategoryID(ctx context.Context, key string) (int64, error) {
	var id int64
	err := s.db.read().QueryRowContext(ctx, `SELECT id FROM categories WHERE key = $1`, key).Scan(&id)
	return id, notFound(err, "category.not_found", "category "+key)
}
