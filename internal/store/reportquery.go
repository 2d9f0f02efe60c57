package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"helpdesk/internal/report"
)

// factCols maps each dimension onto its report_facts column.
var factCols = map[report.Dim]string{
	report.DimGroup: "group_id", report.DimAgent: "agent_id", report.DimCategory: "category_id",
	report.DimPriority: "priority", report.DimChannel: "channel", report.DimOrg: "org_id",
}

// factWhere adds the filter's conditions on report_facts.
func factWhere(f report.Filter, where []string, args []any) ([]string, []any) {
	k := f.Keys()
	for _, d := range f.Set() {
		args = append(args, k.Value(d))
		where = append(where, fmt.Sprintf("%s = $%d", factCols[d], len(args)))
	}
	return where, args
}

// rollupOf says which rollup answers a filter: none set → all; one set →
// that dimension's rows; more → none (the facts are read instead).
func rollupOf(f report.Filter) (report.Dim, int64, bool) {
	set := f.Set()
	switch len(set) {
	case 0:
		return report.DimAll, 0, true
	case 1:
		return set[0], f.Keys().Value(set[0]), true
	}
	return "", 0, false
}

// Cells sums the matching tickets' cells by day in [from, to).
func (s *Reports) Cells(ctx context.Context, from, to int32, f report.Filter) (map[int32]*report.Cell, error) {
	out := map[int32]*report.Cell{}
	get := func(d int32) *report.Cell {
		c := out[d]
		if c == nil {
			c = &report.Cell{}
			out[d] = c
		}
		return c
	}
	if dim, v, ok := rollupOf(f); ok {
		err := s.each(ctx, `SELECT day, cell FROM report_daily WHERE dim = $1 AND value = $2 AND day >= $3 AND day < $4`,
			func(r *sql.Rows) error {
				var d int32
				var text string
				if err := r.Scan(&d, &text); err != nil {
					return err
				}
				return decodeCell(text, get(d))
			}, string(dim), v, from, to)
		return out, err
	}
	err := s.eachFact(ctx, from, to, f, func(_ []int64, parts string) error {
		return eachPart(parts, func(d int32, c *report.Cell) {
			if d >= from && d < to {
				get(d).Add(c, 1)
			}
		})
	})
	return out, err
}

// eachFact calls fn with the dimension values and parts of every fact
// passing f that contributes to a day in [from, to).
func (s *Reports) eachFact(ctx context.Context, from, to int32, f report.Filter, fn func(keys []int64, parts string) error) error {
	where, args := factWhere(f, []string{"last_day >= $1", "first_day < $2"}, []any{from, to})
	q := `SELECT group_id, agent_id, parts FROM report_facts WHERE ` + strings.Join(where, " AND ")
	return s.each(ctx, q, func(r *sql.Rows) error {
		var g, a int64
		var parts string
		if err := r.Scan(&g, &a, &parts); err != nil {
			return err
		}
		return fn([]int64{g, a}, parts)
	}, args...)
}

// OpenBefore is the backlog at the start of day.
func (s *Reports) OpenBefore(ctx context.Context, day int32, f report.Filter) (int64, error) {
	var n int64
	if dim, v, ok := rollupOf(f); ok {
		err := s.db.read().QueryRowContext(ctx, `SELECT COALESCE(SUM(net), 0) FROM report_daily WHERE dim = $1 AND value = $2 AND day < $3`,
			string(dim), v, day).Scan(&n)
		if err != nil {
			return 0, fmt.Errorf("store: report backlog: %w", err)
		}
		return n, nil
	}
	// Open tickets untouched since before the day, plus the net before the
	// day of those still active on or after it.
	where, args := factWhere(f, []string{"open = TRUE", "last_day < $1"}, []any{day})
	if err := s.db.read().QueryRowContext(ctx, `SELECT COUNT(*) FROM report_facts WHERE `+strings.Join(where, " AND "), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: report backlog: %w", err)
	}
	err := s.eachFact(ctx, day, day, f, func(_ []int64, parts string) error {
		return eachPart(parts, func(d int32, c *report.Cell) {
			if d < day {
				n += c.NetDay()
			}
		})
	})
	return n, err
}

// CellsBy sums the period's cells per agent or group.
func (s *Reports) CellsBy(ctx context.Context, dim report.Dim, from, to int32, f report.Filter) (map[int64]*report.Cell, error) {
	out := map[int64]*report.Cell{}
	get := func(v int64) *report.Cell {
		c := out[v]
		if c == nil {
			c = &report.Cell{}
			out[v] = c
		}
		return c
	}
	if len(f.Set()) == 0 {
		err := s.each(ctx, `SELECT value, cell FROM report_daily WHERE dim = $1 AND day >= $2 AND day < $3`, func(r *sql.Rows) error {
			var v int64
			var text string
			if err := r.Scan(&v, &text); err != nil {
				return err
			}
			// Team rows need no histograms: decode the counters only.
			counters, _, _ := strings.Cut(text, ";")
			return decodeCell(counters, get(v))
		}, string(dim), from, to)
		return out, err
	}
	idx := 0
	if dim == report.DimAgent {
		idx = 1
	}
	err := s.eachFact(ctx, from, to, f, func(keys []int64, parts string) error {
		c := get(keys[idx])
		return eachPart(parts, func(d int32, p *report.Cell) {
			if d >= from && d < to {
				c.Add(p, 1)
			}
		})
	})
	return out, err
}

// OpenBy counts open tickets per agent or group.
func (s *Reports) OpenBy(ctx context.Context, dim report.Dim, f report.Filter) (map[int64]int64, error) {
	col, ok := factCols[dim]
	if !ok {
		return nil, fmt.Errorf("store: report open by %q", dim)
	}
	where, args := factWhere(f, []string{"open = TRUE"}, nil)
	out := map[int64]int64{}
	err := s.each(ctx, `SELECT `+col+`, COUNT(*) FROM report_facts WHERE `+strings.Join(where, " AND ")+` GROUP BY `+col,
		func(r *sql.Rows) error {
			var v, n int64
			if err := r.Scan(&v, &n); err != nil {
				return err
			}
			out[v] = n
			return nil
		}, args...)
	return out, err
}

// Names returns logins of staff (agent) or keys of groups.
func (s *Reports) Names(ctx context.Context, dim report.Dim) (map[int64]string, error) {
	q := `SELECT id, key FROM support_groups`
	if dim == report.DimAgent {
		q = `SELECT id, login FROM users WHERE role IN ('agent', 'supervisor', 'admin')`
	}
	out := map[int64]string{}
	err := s.each(ctx, q, func(r *sql.Rows) error {
		var id int64
		var name string
		if err := r.Scan(&id, &name); err != nil {
			return err
		}
		out[id] = name
		return nil
	})
	return out, err
}

// Breaches lists the breaches of tickets created in [from, to).
func (s *Reports) Breaches(ctx context.Context, from, to time.Time, f report.Filter, limit int) ([]report.BreachRow, error) {
	where, args := factWhere(f, []string{"breaches <> ''", "created_at >= $1", "created_at < $2"}, []any{from.UnixMicro(), to.UnixMicro()})
	q := `SELECT number, created_at, priority, breaches FROM report_facts WHERE ` + strings.Join(where, " AND ") +
		fmt.Sprintf(` ORDER BY created_at, ticket_id LIMIT %d`, max(1, limit))
	var out []report.BreachRow
	err := s.each(ctx, q, func(r *sql.Rows) error {
		var num, bs string
		var created, pri int64
		if err := r.Scan(&num, &created, &pri, &bs); err != nil {
			return err
		}
		for _, b := range decodeBreaches(bs) {
			out = append(out, report.BreachRow{Number: num, Priority: nameAt(report.Priorities, pri), CreatedAt: time.UnixMicro(created).UTC(), Breach: b})
		}
		return nil
	}, args...)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, err
}
