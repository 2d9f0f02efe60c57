package report_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
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

// EnvBenchKeep names a directory in which the generated corpus is kept
// between runs: the SQLite file reportbench-N.db there, and on PostgreSQL
// the database reportbench_N next to the test server's (both reused when
// complete, generated again otherwise).
const EnvBenchKeep = "HELPDESK_REPORT_BENCH_KEEP"

// corpus generates the corpus once per engine and test binary (or opens
// the one kept).
func corpus(b *testing.B, engine string) *benchDesk {
	benchMu.Lock()
	defer benchMu.Unlock()
	if d := benchDesks[engine]; d != nil {
		return d
	}
	ctx := context.Background()
	n := benchN()
	var db *store.DB
	kept := false
	switch keep := os.Getenv(EnvBenchKeep); {
	case keep == "" && engine == "sqlite":
		db = storetest.SQLite(b)
	case keep == "":
		db = storetest.Postgres(b)
	default:
		db, kept = keptDB(b, engine, keep, n)
	}
	var c reportgen.Corpus
	if kept {
		groups, err := db.Identity().ListGroups(ctx)
		if err != nil {
			b.Fatal(err)
		}
		c = reportgen.Corpus{Tickets: n, Groups: groups}
		b.Logf("%s: kept corpus of %d tickets", engine, n)
	} else {
		var err error
		c, err = reportgen.Generate(ctx, db, reportgen.Options{N: n, Days: 365, End: benchEnd, Loc: shanghai, Seed: 7})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: generated %d tickets (%d breaches) in %s", engine, c.Tickets, c.Breaches, c.Elapsed.Round(time.Millisecond))
	}
	d := &benchDesk{db: db, corpus: c, rep: report.NewService(report.Deps{Store: db.Reports(), Location: shanghai})}
	benchDesks[engine] = d
	return d
}

// keptDB opens the kept corpus database of n tickets; complete is false
// when it was (re)created empty and must be generated.
func keptDB(b *testing.B, engine, dir string, n int) (db *store.DB, complete bool) {
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(dir, fmt.Sprintf("reportbench-%d.db", n))
	if engine == "postgres" {
		dsn = keptPostgres(b, fmt.Sprintf("reportbench_%d", n))
	}
	db, err := store.Open(ctx, dsn, dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	z, err := db.Reports().Sizes(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if z.Tickets == int64(n) && z.Facts == int64(n) && z.Marks == 0 {
		if z.LastRollup == 0 {
			// Interrupted while summing the rollups: sum them again.
			if err := db.Reports().RebuildRollups(ctx); err != nil {
				b.Fatal(err)
			}
			if err := db.Analyze(ctx); err != nil {
				b.Fatal(err)
			}
		}
		return db, true
	}
	if z.Tickets != 0 {
		b.Fatalf("%s: kept corpus %s is incomplete (%+v): remove it", engine, dsn, z)
	}
	return db, false
}

// keptPostgres returns the URL of database name on the test server,
// creating it when missing.
func keptPostgres(b *testing.B, name string) string {
	admin := os.Getenv(storetest.EnvPostgres)
	adm, err := sql.Open("pgx", admin)
	if err != nil {
		b.Fatal(err)
	}
	defer adm.Close()
	var exists bool
	if err := adm.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		b.Fatal(err)
	}
	if !exists {
		if _, err := adm.Exec(`CREATE DATABASE ` + name + ` ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8' TEMPLATE template0`); err != nil {
			b.Fatal(err)
		}
	}
	u, err := url.Parse(admin)
	if err != nil {
		b.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// BenchmarkReports answers every report for the last 90 days and the last
// year, without a filter, with one (a group: its rollup), two (a group and
// a priority: the pair's rollup) and three (and a channel: the facts), and
// reports the p95 latency.
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
			}{{"all", report.Filter{}}, {"group", report.Filter{Group: g}}, {"group+priority", report.Filter{Group: g, Priority: "P3"}},
				{"group+priority+channel", report.Filter{Group: g, Priority: "P3", Channel: "web"}}}
			for _, days := range []int{90, 365} {
				for _, fl := range filters {
					from := benchEnd.AddDate(0, 0, -days)
					q := report.Query{From: from, To: benchEnd, Filter: fl.f, Interval: report.Day}
					for _, r := range benchReports {
						b.Run(strconv.Itoa(days)+"d/"+fl.name+"/"+r.name, func(b *testing.B) {
							ctx := context.Background()
							lat := make([]time.Duration, 0, b.N)
							cpu0 := cpuTime()
							for b.Loop() {
								t0 := time.Now()
								if err := r.run(ctx, d.rep, q); err != nil {
									b.Fatal(err)
								}
								lat = append(lat, time.Since(t0))
							}
							cpu := cpuTime() - cpu0
							slices.Sort(lat)
							b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
							// On a shared machine the wall clock waits for other work; the
							// process's CPU per report (PostgreSQL's own not counted) does not.
							b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(lat)), "cpu-ms/op")
						})
					}
				}
			}
		})
	}
}

// cpuTime is the CPU time the process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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

// BenchmarkRefresh recomputes the facts and rollups of every ticket of a
// fresh corpus (HELPDESK_REPORT_BENCH_N, default 2,000) through the refresh
// job's code, as after migration 00015, and reports tickets per second
// (of wall clock and of CPU).
// The generated tickets have no stored history, so their facts are smaller
// than real ones: read it as an upper bound.
func BenchmarkRefresh(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			if engine == "postgres" && os.Getenv(storetest.EnvPostgres) == "" {
				b.Skip("PostgreSQL not configured")
			}
			var db *store.DB
			if engine == "sqlite" {
				db = storetest.SQLite(b)
			} else {
				db = storetest.Postgres(b)
			}
			ctx := context.Background()
			n := min(benchN(), 20000)
			if _, err := reportgen.Generate(ctx, db, reportgen.Options{N: n, Days: 365, End: benchEnd, Loc: shanghai, Seed: 5}); err != nil {
				b.Fatal(err)
			}
			rep := report.NewService(report.Deps{Store: db.Reports(), Refresh: db.Reports(), Location: shanghai})
			var took, cpu time.Duration
			for b.Loop() {
				if _, err := db.Reports().MarkAll(ctx); err != nil {
					b.Fatal(err)
				}
				t0, c0 := time.Now(), cpuTime()
				got, err := rep.Refresh(ctx, n/report.RefreshBatch+1)
				took, cpu = took+time.Since(t0), cpu+cpuTime()-c0
				if err != nil || got != n {
					b.Fatalf("refreshed %d of %d: %v", got, n, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/took.Seconds(), "tickets/s")
			// Per second of this process's CPU (PostgreSQL's own not counted).
			b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "tickets/cpu-s")
		})
	}
}
