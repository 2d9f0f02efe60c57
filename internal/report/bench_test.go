package report_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"helpdesk/internal/identity"
	"helpdesk/internal/report"
	"helpdesk/internal/report/reportgen"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

// EnvBenchN sizes the report benchmark corpus (default 2,000 tickets, so
// CI runs it quickly); HELPDESK_REPORT_BENCH_N=1000000 is the real one.
const EnvBenchN = "HELPDESK_REPORT_BENCH_N"

func benchN() int {
	if n, err := strconv.Atoi(os.Getenv(EnvBenchN)); err == nil && n > 0 {
		return n
	}
	return 2000
}

var benchEnd = time.Date(2026, 12, 1, 0, 0, 0, 0, shanghai)

type benchDesk struct {
	db     *store.DB
	rep    *report.Service
	corpus reportgen.Corpus
}

var (
	benchMu    sync.Mutex
	benchDesks = map[string]*benchDesk{}
)

// corpus generates the corpus once per engine and test binary.
func corpus(b *testing.B, engine string) *benchDesk {
	benchMu.Lock()
	defer benchMu.Unlock()
	if d := benchDesks[engine]; d != nil {
		return d
	}
	var db *store.DB
	if engine == "sqlite" {
		db = storetest.SQLite(b)
	} else {
		db = storetest.Postgres(b)
	}
	c, err := reportgen.Generate(context.Background(), db, reportgen.Options{N: benchN(), Days: 365, End: benchEnd, Loc: shanghai, Seed: 7})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: generated %d tickets (%d breaches) in %s", engine, c.Tickets, c.Breaches, c.Elapsed.Round(time.Millisecond))
	d := &benchDesk{db: db, corpus: c, rep: report.NewService(report.Deps{Store: db.Reports(), Location: shanghai})}
	benchDesks[engine] = d
	return d
}

// BenchmarkReports answers every report for the last 90 days and the last
// year, without a filter, with one (a group: the rollup) and with two (a
// group and a priority: the facts), and reports the p95 latency.
func BenchmarkReports(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			if engine == "postgres" && os.Getenv(storetest.EnvPostgres) == "" {
				b.Skip("PostgreSQL not configured")
			}
			d := corpus(b, engine)
			g := d.corpus.Groups[1].ID
			filters := []struct {
				name string
				f    report.Filter
			}{{"all", report.Filter{}}, {"group", report.Filter{Group: g}}, {"group+priority", report.Filter{Group: g, Priority: "P3"}}}
			for _, days := range []int{90, 365} {
				for _, fl := range filters {
					from := benchEnd.AddDate(0, 0, -days)
					q := report.Query{From: from, To: benchEnd, Filter: fl.f, Interval: report.Day}
					for _, r := range benchReports {
						b.Run(strconv.Itoa(days)+"d/"+fl.name+"/"+r.name, func(b *testing.B) {
							ctx := context.Background()
							lat := make([]time.Duration, 0, b.N)
							for b.Loop() {
								t0 := time.Now()
								if err := r.run(ctx, d.rep, q); err != nil {
									b.Fatal(err)
								}
								lat = append(lat, time.Since(t0))
							}
							slices.Sort(lat)
							b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
						})
					}
				}
			}
		})
	}
}

var sys = identity.System

var benchReports = []struct {
	name string
	run  func(ctx context.Context, s *report.Service, q report.Query) error
}{
	{"volume", func(ctx context.Context, s *report.Service, q report.Query) error {
		_, err := s.Volume(ctx, sys, q)
		return err
	}},
	{"times", func(ctx context.Context, s *report.Service, q report.Query) error {
		_, err := s.Times(ctx, sys, q)
		return err
	}},
	{"sla", func(ctx context.Context, s *report.Service, q report.Query) error {
		_, err := s.SLA(ctx, sys, q)
		return err
	}},
	{"rates", func(ctx context.Context, s *report.Service, q report.Query) error {
		_, err := s.Rates(ctx, sys, q)
		return err
	}},
	{"satisfaction", func(ctx context.Context, s *report.Service, q report.Query) error {
		_, err := s.Satisfaction(ctx, sys, q)
		return err
	}},
	{"agents", func(ctx context.Context, s *report.Service, q report.Query) error {
		_, err := s.Team(ctx, sys, q, report.DimAgent)
		return err
	}},
	{"groups", func(ctx context.Context, s *report.Service, q report.Query) error {
		_, err := s.Team(ctx, sys, q, report.DimGroup)
		return err
	}},
}
