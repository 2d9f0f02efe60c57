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

// rollupOf says which rollup row set answers a filter: none set → all;
// one → that dimension's rows; two → that pair's rows; more → none (the
// facts are read instead).
func rollupOf(f report.Filter) (rollKey, bool) {
	set := f.Set()
	k := f.Keys()
	switch len(set) {
	case 0:
		return rollKey{dim: string(report.DimAll)}, true
	case 1:
		return rollKey{dim: string(set[0]), value: k.Value(set[0])}, true
	case 2:
		r := rollSpec{a: set[0], b: set[1]}
		return rollKey{dim: r.name(), value: k.Value(set[0]), value2: k.Value(set[1])}, true
	}
	return rollKey{}, false
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
	if k, ok := rollupOf(f); ok {
		err := s.each(ctx, `SELECT day, cell FROM report_daily WHERE dim = $1 AND value = $2 AND value2 = $3 AND day >= $4 AND day < $5`,
			func(r *sql.Rows) error {
				var d int32
				var b []byte
				if err := r.Scan(&d, &b); err != nil {
					return err
				}
				return decodeCell(b, get(d))
			}, k.dim, k.value, k.value2, from, to)
		return out, err
	}
	err := s.eachFact(ctx, from, to, f, func(_ []int64, parts []byte) error {
		return addParts(parts, from, to, cellAll, get)
	})
	return out, err
}

// eachFact calls fn with the dimension values and parts of every fact
// passing f that contributes to a day in [from, to).
func (s *Reports) eachFact(ctx context.Context, from, to int32, f report.Filter, fn func(keys []int64, parts []byte) error) error {
	where, args := factWhere(f, []string{"last_day >= $1", "first_day < $2"}, []any{from, to})
	q := `SELECT group_id, agent_id, parts FROM report_facts WHERE ` + strings.Join(where, " AND ")
	keys := make([]int64, 2)
	return s.each(ctx, q, func(r *sql.Rows) error {
		var parts []byte
		if err := r.Scan(&keys[0], &keys[1], &parts); err != nil {
			return err
		}
		return fn(keys, parts)
	}, args...)
}

// OpenBefore is the backlog at the start of day.
func (s *Reports) OpenBefore(ctx context.Context, day int32, f report.Filter) (int64, error) {
	var n int64
	if k, ok := rollupOf(f); ok {
		err := s.db.read().QueryRowContext(ctx, `SELECT COALESCE(SUM(net), 0) FROM report_daily
			WHERE dim = $1 AND value = $2 AND value2 = $3 AND day < $4`, k.dim, k.value, k.value2, day).Scan(&n)
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
	err := s.eachFact(ctx, day, day, f, func(_ []int64, parts []byte) error {
		m, err := netBefore(parts, day)
		n += m
		return err
	})
	return n, err
}

// teamRollup says which rollup rows hold dim's values under f: with no
// other filter than dim itself, dim's rows; with one other, the pair's. It
// returns the column holding dim's values and the conditions (parameters
// from $1); ok is false when f has two or more other filters.
func teamRollup(dim report.Dim, f report.Filter) (dimCol string, where []string, args []any, ok bool) {
	fk := f.Keys()
	var others []report.Dim
	for _, d := range f.Set() {
		if d != dim {
			others = append(others, d)
		}
	}
	if len(others) > 1 {
		return "", nil, nil, false
	}
	dimCol, where, args = "value", []string{"dim = $1"}, []any{string(dim)}
	if len(others) == 1 {
		r := pairOf(dim, others[0])
		args[0] = r.name()
		other := "value2"
		if r.b == dim {
			dimCol, other = "value2", "value"
		}
		args = append(args, fk.Value(others[0]))
		where = append(where, fmt.Sprintf("%s = $%d", other, len(args)))
	} else {
		where = append(where, "value2 = 0")
	}
	if v := fk.Value(dim); v != 0 {
		args = append(args, v)
		where = append(where, fmt.Sprintf("%s = $%d", dimCol, len(args)))
	}
	return dimCol, where, args, true
}

// CellsBy sums the period's cells per agent or group, counters only (team
// rows show no medians): from a rollup (teamRollup) when one holds them,
// else from the facts.
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
	if dimCol, where, args, ok := teamRollup(dim, f); ok {
		args = append(args, from, to)
		where = append(where, fmt.Sprintf("day >= $%d", len(args)-1), fmt.Sprintf("day < $%d", len(args)))
		err := s.each(ctx, `SELECT `+dimCol+`, cell FROM report_daily WHERE `+strings.Join(where, " AND "), func(r *sql.Rows) error {
			var v int64
			var b []byte
			if err := r.Scan(&v, &b); err != nil {
				return err
			}
			rd := reader{b: b}
			return addCell(&rd, get(v), 1, cellHead)
		}, args...)
		return out, err
	}
	idx := 0
	if dim == report.DimAgent {
		idx = 1
	}
	err := s.eachFact(ctx, from, to, f, func(keys []int64, parts []byte) error {
		c := get(keys[idx])
		return addParts(parts, from, to, cellCounters, func(int32) *report.Cell { return c })
	})
	return out, err
}

// OpenBy counts open tickets per agent or group: the sum of every day's
// backlog change in a rollup (a ticket adds one while open, nothing once
// done), else a count of the facts.
func (s *Reports) OpenBy(ctx context.Context, dim report.Dim, f report.Filter) (map[int64]int64, error) {
	col, ok := factCols[dim]
	if !ok {
		return nil, fmt.Errorf("store: report open by %q", dim)
	}
	out := map[int64]int64{}
	scan := func(r *sql.Rows) error {
		var v, n int64
		if err := r.Scan(&v, &n); err != nil {
			return err
		}
		if n != 0 {
			out[v] = n
		}
		return nil
	}
	if dimCol, where, args, ok := teamRollup(dim, f); ok {
		err := s.each(ctx, `SELECT `+dimCol+`, SUM(net) FROM report_daily WHERE `+strings.Join(where, " AND ")+` GROUP BY `+dimCol, scan, args...)
		return out, err
	}
	where, args := factWhere(f, []string{"open = TRUE"}, nil)
	err := s.each(ctx, `SELECT `+col+`, COUNT(*) FROM report_facts WHERE `+strings.Join(where, " AND ")+` GROUP BY `+col, scan, args...)
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
