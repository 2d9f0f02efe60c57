package sla_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"helpdesk/internal/sla"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

// BenchmarkAdd measures deadline arithmetic from starts spread over a week
// (working hours, nights, weekends).
func BenchmarkAdd(b *testing.B) {
	defaults := sla.DefaultCalendars()
	starts := make([]time.Time, 0, 7*24*60/37)
	for t := at(shanghai, "2026-03-02 00:00"); len(starts) < cap(starts); t = t.Add(37 * time.Minute) {
		starts = append(starts, t)
	}
	for _, cal := range []sla.Calendar{compile(b, defaults[0]), compile(b, defaults[1]), compile(b, office())} {
		for _, d := range []time.Duration{8 * time.Hour, 40 * time.Hour} {
			b.Run(cal.Key+"/"+d.String(), func(b *testing.B) {
				i := 0
				for b.Loop() {
					cal.Add(starts[i%len(starts)], d)
					i++
				}
			})
		}
	}
}

// BenchmarkBetween measures the working time of a week.
func BenchmarkBetween(b *testing.B) {
	cal := compile(b, sla.DefaultCalendars()[1])
	a, z := at(shanghai, "2026-03-02 10:00"), at(shanghai, "2026-03-09 10:00")
	for b.Loop() {
		cal.Between(a, z)
	}
}

// BenchmarkNewClocks measures setting up a P3 ticket's three clocks.
func BenchmarkNewClocks(b *testing.B) {
	cal, p := compile(b, sla.DefaultCalendars()[1]), sla.DefaultPolicies()[2]
	now := at(shanghai, "2026-03-06 17:00")
	for b.Loop() {
		sla.NewClocks(p, cal, now)
	}
}

// BenchmarkForPriority measures the hot path of ticket creation: the
// policy and calendar of a priority (one version query), and with setup
// the ticket's clocks as well. It reports the median besides the mean.
func BenchmarkForPriority(b *testing.B) {
	run := func(b *testing.B, db *store.DB) {
		svc := sla.NewService(sla.Deps{Store: db.SLA()})
		ctx := context.Background()
		if _, _, err := svc.ForPriority(ctx, "P3"); err != nil {
			b.Fatal(err)
		}
		for _, setup := range []bool{false, true} {
			name := "lookup"
			if setup {
				name = "setup"
			}
			b.Run(name, func(b *testing.B) {
				var lat []time.Duration
				for b.Loop() {
					start := time.Now()
					p, cal, err := svc.ForPriority(ctx, "P3")
					if err != nil {
						b.Fatal(err)
					}
					if setup {
						sla.NewClocks(p, cal, start)
					}
					lat = append(lat, time.Since(start))
				}
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
			})
		}
		b.Run("parallel", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, _, err := svc.ForPriority(ctx, "P3"); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
	b.Run("sqlite", func(b *testing.B) { run(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { run(b, storetest.Postgres(b)) })
}
