package search_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/identity"
	"helpdesk/internal/search"
	"helpdesk/internal/search/corpus"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// EnvBenchN sets how many generated tickets BenchmarkSearch loads
// (default 2,000, what CI runs; the figures in docs/architecture.md use
// HELPDESK_SEARCH_BENCH_N=1000000).
const EnvBenchN = "HELPDESK_SEARCH_BENCH_N"

// EnvBenchKeep names a directory where BenchmarkSearch keeps its generated
// desks between runs: the SQLite desk in <dir>/sqlite-<n>/ and the
// PostgreSQL one in the database helpdesk_bench_<n> of the
// HELPDESK_TEST_POSTGRES_URL server, each with a file of sample ticket
// numbers (<dir>/<engine>-<n>.numbers) written once its load finished. A
// kept desk is reused as it is: no import, no reindex, no rates.
const EnvBenchKeep = "HELPDESK_SEARCH_BENCH_KEEP"

// EnvBenchReindex, set on a run that reuses a kept desk, rebuilds its
// index first and reports the rate.
const EnvBenchReindex = "HELPDESK_SEARCH_BENCH_REINDEX"

// benchDesk opens the desk of n tickets for an engine: a kept one when
// EnvBenchKeep names a directory that holds it (loaded says so), else a
// fresh one (kept afterwards when EnvBenchKeep is set).
func benchDesk(b *testing.B, engine string, n int) (d *desktest.Desk, dsn, numbersFile string, loaded bool) {
	keep := os.Getenv(EnvBenchKeep)
	ctx := context.Background()
	if keep == "" {
		if engine == "sqlite" {
			return desktest.New(b, storetest.SQLite(b), desktest.Options{}), "", "", false
		}
		dsn := storetest.PostgresURL(b)
		db, err := store.Open(ctx, dsn, "")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		return desktest.New(b, db, desktest.Options{}), dsn, "", false
	}
	numbersFile = filepath.Join(keep, fmt.Sprintf("%s-%d.numbers", engine, n))
	_, statErr := os.Stat(numbersFile)
	loaded = statErr == nil
	var db *store.DB
	var err error
	if engine == "sqlite" {
		dir := filepath.Join(keep, fmt.Sprintf("sqlite-%d", n))
		if !loaded {
			os.RemoveAll(dir)
		}
		db, err = store.Open(ctx, "", dir)
	} else {
		admin := os.Getenv(storetest.EnvPostgres)
		if admin == "" {
			b.Skipf("set %s", storetest.EnvPostgres)
		}
		name := fmt.Sprintf("helpdesk_bench_%d", n)
		u, err := url.Parse(admin)
		if err != nil {
			b.Fatal(err)
		}
		if !loaded {
			adm, err := sql.Open("pgx", admin)
			if err != nil {
				b.Fatal(err)
			}
			adm.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
			_, err = adm.ExecContext(ctx, `CREATE DATABASE `+name+` ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8' TEMPLATE template0`)
			adm.Close()
			if err != nil {
				b.Fatal(err)
			}
		}
		u.Path = "/" + name
		dsn = u.String()
		db, err = store.Open(ctx, dsn, "")
		if err != nil {
			b.Fatal(err)
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if !loaded {
		return desktest.New(b, db, desktest.Options{}), dsn, numbersFile, false
	}
	d = desktest.New(b, db, desktest.Options{NoUsers: true})
	for _, login := range []string{"admin", "agent3", "cust1", "cust2", "cust3"} {
		u, err := db.Identity().UserByLogin(ctx, login)
		if err != nil {
			b.Fatal(err)
		}
		d.Users[login], d.Actors[login] = u, identity.ActorOf(u)
	}
	return d, dsn, numbersFile, true
}

// vacuum runs VACUUM ANALYZE on a PostgreSQL database.
func vacuum(b *testing.B, dsn string) {
	c, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ExecContext(context.Background(), "VACUUM ANALYZE"); err != nil {
		b.Fatal(err)
	}
}

// load imports n generated tickets in batches and returns their numbers,
// with the rate of the import (tickets, history and index rows) and of a
// full reindex afterwards.
func load(b *testing.B, d *desktest.Desk, n int) (numbers []string, importRate, reindexRate float64) {
	ctx := context.Background()
	cats, err := d.DB.Tickets().Categories(ctx)
	if err != nil {
		b.Fatal(err)
	}
	catOf := map[string]ticket.Category{}
	for _, c := range cats {
		catOf[c.Key] = c
	}
	topicCat := []string{"hardware", "network", "software", "consultation", "consultation", "complaint"}
	customers := []identity.User{d.Users["cust1"], d.Users["cust2"], d.Users["cust3"]}
	g := corpus.New(7)
	base := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	step := 365 * 24 * time.Hour / time.Duration(n)
	const batch = 2000
	start := time.Now()
	var gen time.Duration
	for from := 0; from < n; from += batch {
		t0 := time.Now()
		recs := make([]ticket.NewRecord, 0, batch)
		for i := from; i < min(n, from+batch); i++ {
			topic := g.TopicIndex()
			title, desc, prio := g.TicketOf(topic)
			c := catOf[topicCat[topic]]
			cu := customers[i%len(customers)]
			at := base.Add(time.Duration(i) * step)
			t := ticket.Ticket{Title: title, Description: desc, CategoryID: c.ID, Priority: ticket.Priority(prio),
				Status: ticket.Statuses[i%len(ticket.Statuses)], Channel: ticket.ChannelWeb, RequesterID: cu.ID, OrgID: cu.OrgID,
				GroupID: c.GroupID, Version: 1, CreatedAt: at, UpdatedAt: at}
			recs = append(recs, ticket.NewRecord{Ticket: t, Day: at.Format("20060102"),
				Events: []ticket.Event{{Actor: "bench", Kind: ticket.EventCreated, At: at}}})
		}
		gen += time.Since(t0)
		got, err := d.DB.Tickets().ImportTickets(ctx, recs)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range got {
			numbers = append(numbers, t.Number)
		}
	}
	importRate = float64(n) / (time.Since(start) - gen).Seconds()
	if err := d.DB.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	if _, err := d.DB.Search().Reindex(ctx); err != nil {
		b.Fatal(err)
	}
	reindexRate = float64(n) / time.Since(start).Seconds()
	rebuild(b, d.DB, n)
	if err := d.DB.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
	return numbers, importRate, reindexRate
}

// rebuild times Search.Rebuild (the maintenance-window rebuild) and logs
// its rate beside the online reindex's.
func rebuild(b *testing.B, db *store.DB, n int) {
	start, cpu0 := time.Now(), processCPU()
	if _, err := db.Search().Rebuild(context.Background()); err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "%s, %d tickets: rebuild (offline) %.0f tickets/s (this process's CPU: %.0f tickets/s)\n", db.Engine(), n,
		float64(n)/time.Since(start).Seconds(), float64(n)/(processCPU()-cpu0).Seconds())
}

// BenchmarkSearch measures search latency per query class on a generated
// desk: one-, two- and four-character Chinese, English words and ticket
// numbers, each a first page of 20 highlighted results as an admin (who
// sees everything, so every match counts) and as an agent of one group.
// It reports p50 and p95 per query (ms) and logs the index build rates.
func BenchmarkSearch(b *testing.B) {
	n := 2000
	if v := os.Getenv(EnvBenchN); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 100 {
			b.Fatalf("%s=%q: want a number ≥ 100", EnvBenchN, v)
		}
	}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			d, dsn, numbersFile, loaded := benchDesk(b, name, n)
			db := d.DB
			var numbers []string
			if loaded {
				data, err := os.ReadFile(numbersFile)
				if err != nil {
					b.Fatal(err)
				}
				numbers = strings.Fields(string(data))
				fmt.Fprintf(os.Stderr, "%s, %d tickets: kept desk reused\n", name, n)
				if os.Getenv(EnvBenchReindex) != "" {
					start, cpu0 := time.Now(), processCPU()
					if _, err := db.Search().Reindex(context.Background()); err != nil {
						b.Fatal(err)
					}
					fmt.Fprintf(os.Stderr, "%s, %d tickets: reindex %.0f tickets/s (this process's CPU: %.0f tickets/s)\n", name, n,
						float64(n)/time.Since(start).Seconds(), float64(n)/(processCPU()-cpu0).Seconds())
					rebuild(b, db, n)
					if dsn != "" {
						vacuum(b, dsn)
					}
				}
			} else {
				var importRate, reindexRate float64
				numbers, importRate, reindexRate = load(b, d, n)
				if dsn != "" {
					// What autovacuum does on a live desk: the reindex left a
					// dead version of every document, in the GIN index too.
					vacuum(b, dsn)
				}
				fmt.Fprintf(os.Stderr, "%s, %d tickets: import with index %.0f tickets/s, reindex %.0f tickets/s\n", name, n, importRate, reindexRate)
				if numbersFile != "" {
					var sample []string
					for i := 0; i < 50; i++ {
						sample = append(sample, numbers[(i*7919)%len(numbers)])
					}
					if err := os.WriteFile(numbersFile, []byte(strings.Join(sample, "\n")+"\n"), 0o644); err != nil {
						b.Fatal(err)
					}
				}
			}
			s := search.NewService(search.Deps{Store: db.Search(), Tickets: d.Tickets})
			classes := []struct {
				name    string
				queries []string
			}{
				{"cjk1", []string{"卡", "屏", "慢", "网", "码", "机", "键"}},
				{"cjk2", []string{"打印", "网络", "密码", "蓝屏", "邮箱", "账号", "黑屏"}},
				{"cjk4", []string{"打印模糊", "无法开机", "认证失败", "运行缓慢", "更新失败", "服务态度"}},
				{"english", []string{"printer", "password", "timeout", "crash", "refund", "scanner"}},
				{"number", nil},
			}
			for i := 0; i < 50; i++ {
				classes[4].queries = append(classes[4].queries, numbers[(i*7919)%len(numbers)])
			}
			if loaded {
				classes[4].queries = numbers
			}
			cpu := newCPUMeter(b, dsn)
			for _, as := range []string{"admin", "agent3"} {
				by := d.Actors[as]
				for _, c := range classes {
					b.Run(as+"/"+c.name, func(b *testing.B) {
						var lat, cpus []time.Duration
						for i := 0; b.Loop(); i++ {
							cpu.refresh()
							c0 := cpu.now()
							t0 := time.Now()
							res, err := s.Search(context.Background(), by, search.Input{Q: c.queries[i%len(c.queries)]})
							lat = append(lat, time.Since(t0))
							cpus = append(cpus, cpu.now()-c0)
							if err != nil {
								b.Fatal(err)
							}
							if c.name == "number" && as == "admin" && (len(res.Results) == 0 || !res.Results[0].ExactNumber) {
								b.Fatalf("number %s not found first", c.queries[i%len(c.queries)])
							}
						}
						slices.Sort(lat)
						slices.Sort(cpus)
						pct := func(ds []time.Duration, p float64) float64 {
							return float64(ds[min(len(ds)-1, int(float64(len(ds))*p))].Microseconds()) / 1000
						}
						b.ReportMetric(pct(lat, 0.50), "p50-ms")
						b.ReportMetric(pct(lat, 0.95), "p95-ms")
						b.ReportMetric(pct(cpus, 0.50), "cpu-p50-ms")
						b.ReportMetric(pct(cpus, 0.95), "cpu-p95-ms")
						b.ReportMetric(0, "ns/op")
					})
				}
			}
			fmt.Fprintln(os.Stderr) // keep the engines' output apart
		})
	}
}

// cpuMeter measures the CPU time a query costs, which the machine's load
// does not inflate the way it inflates wall-clock time: this process's
// (getrusage) plus, on PostgreSQL, that of the server backends serving
// the benchmark's database (/proc/<pid>/schedstat, in nanoseconds).
type cpuMeter struct {
	b    *testing.B
	db   *sql.DB // nil on SQLite
	pids []int
}

func newCPUMeter(b *testing.B, dsn string) *cpuMeter {
	m := &cpuMeter{b: b}
	if dsn != "" {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			b.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		b.Cleanup(func() { db.Close() })
		m.db = db
	}
	return m
}

// refresh finds the backends serving the database (the pool may have
// opened one since the last query).
func (m *cpuMeter) refresh() {
	if m.db == nil {
		return
	}
	rows, err := m.db.Query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
		AND backend_type = 'client backend'`)
	if err != nil {
		m.b.Fatal(err)
	}
	defer rows.Close()
	m.pids = m.pids[:0]
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			m.b.Fatal(err)
		}
		m.pids = append(m.pids, pid)
	}
}

// processCPU is the CPU time this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// now is the CPU time used so far by this process and the backends.
func (m *cpuMeter) now() time.Duration {
	d := processCPU()
	for _, pid := range m.pids {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/schedstat")
		if err != nil {
			continue
		}
		if f := strings.Fields(string(data)); len(f) > 0 {
			ns, _ := strconv.ParseInt(f[0], 10, 64)
			d += time.Duration(ns)
		}
	}
	return d
}
