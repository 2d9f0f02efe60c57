package report_test

import (
	"context"
	"fmt"
	"testing"

	"helpdesk/internal/report"
	"helpdesk/internal/report/reportgen"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

// TestRollupsAgreeWithFacts checks each rollup a report may read against
// the facts: a filter of one or two dimensions (read from a rollup) must
// give the sum, over the four channels, of the same filter plus a channel
// (with two filters, three: read from the facts), by day, for the backlog,
// and per agent and group (with their open tickets).
func TestRollupsAgreeWithFacts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c, err := reportgen.Generate(ctx, db, reportgen.Options{N: 400, Days: 60, End: benchEnd, Loc: shanghai, Seed: 11})
		if err != nil {
			t.Fatal(err)
		}
		rs := db.Reports()
		from, to := report.DayOf(benchEnd.AddDate(0, 0, -45)), report.DayOf(benchEnd)
		g, a, o := c.Groups[1].ID, c.Agents[1].ID, c.Orgs[2].ID
		for _, f := range []report.Filter{
			// Agent a is in group g (the generator deals agents round the groups).
			{Group: g}, {Priority: "P3"}, {Org: o}, {Group: g, Priority: "P3"}, {Agent: a, Priority: "P2"},
			{Group: g, Org: o}, {Group: g, Agent: a}, {Channel: "email"},
		} {
			t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
				byDay, err := rs.Cells(ctx, from, to, f)
				if err != nil {
					t.Fatal(err)
				}
				open, err := rs.OpenBefore(ctx, from, f)
				if err != nil {
					t.Fatal(err)
				}
				want, wantOpen := map[int32]*report.Cell{}, int64(0)
				for _, f3 := range split(f) {
					m, err := rs.Cells(ctx, from, to, f3)
					if err != nil {
						t.Fatal(err)
					}
					for d, x := range m {
						if want[d] == nil {
							want[d] = &report.Cell{}
						}
						want[d].Add(x, 1)
					}
					n, err := rs.OpenBefore(ctx, from, f3)
					if err != nil {
						t.Fatal(err)
					}
					wantOpen += n
				}
				if len(byDay) == 0 {
					t.Fatal("no figures: the corpus does not exercise this filter")
				}
				for d := from; d < to; d++ {
					if !sameCell(byDay[d], want[d], true) {
						t.Errorf("day %d: rollup %+v\nfacts %+v", d, byDay[d], want[d])
					}
				}
				if open != wantOpen {
					t.Errorf("open before = %d, facts say %d", open, wantOpen)
				}
				for _, dim := range []report.Dim{report.DimAgent, report.DimGroup} {
					got, err := rs.CellsBy(ctx, dim, from, to, f)
					if err != nil {
						t.Fatal(err)
					}
					want := map[int64]*report.Cell{}
					for _, f3 := range split(f) {
						m, err := rs.CellsBy(ctx, dim, from, to, f3)
						if err != nil {
							t.Fatal(err)
						}
						for v, x := range m {
							if want[v] == nil {
								want[v] = &report.Cell{}
							}
							want[v].Add(x, 1)
						}
					}
					open, err := rs.OpenBy(ctx, dim, f)
					if err != nil {
						t.Fatal(err)
					}
					wantOpen := map[int64]int64{}
					for _, f3 := range split(f) {
						m, err := rs.OpenBy(ctx, dim, f3)
						if err != nil {
							t.Fatal(err)
						}
						for v, n := range m {
							wantOpen[v] += n
						}
					}
					for v, n := range wantOpen {
						if v != 0 && open[v] != n {
							t.Errorf("open %s %d = %d, facts say %d", dim, v, open[v], n)
						}
					}
					for v := range merge(got, want) {
						// Value 0 (unassigned, no group) has no rollup; Team leaves it out.
						if v != 0 && !sameCell(got[v], want[v], false) {
							t.Errorf("%s %d: rollup %+v\nfacts %+v", dim, v, got[v], want[v])
						}
					}
				}
			})
		}
	})
}

// split refines f by each channel (by each priority when f has a channel).
func split(f report.Filter) []report.Filter {
	var out []report.Filter
	for i := range report.Channels {
		x := f
		if f.Channel == "" {
			x.Channel = report.Channels[i]
		} else {
			x.Priority = report.Priorities[i]
		}
		out = append(out, x)
	}
	return out
}

func merge(a, b map[int64]*report.Cell) map[int64]bool {
	out := map[int64]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// sameCell compares counters (and histograms when hists), a missing cell
// being an empty one.
func sameCell(a, b *report.Cell, hists bool) bool {
	var zero report.Cell
	if a == nil {
		a = &zero
	}
	if b == nil {
		b = &zero
	}
	for i := range report.NumCounters {
		if *a.Counter(i) != *b.Counter(i) {
			return false
		}
	}
	if !hists {
		return true
	}
	for k := range 4 {
		ha, hb := *a.Hist(k), *b.Hist(k)
		if len(ha) != len(hb) {
			return false
		}
		for bucket, n := range ha {
			if hb[bucket] != n {
				return false
			}
		}
	}
	return true
}
