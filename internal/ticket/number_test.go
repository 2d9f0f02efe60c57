package ticket_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// clock is a settable clock for desktest.Options.Now, safe for concurrent use.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *clock { return &clock{now: t} }

// Now returns the clock's time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward and returns the new time.
func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// noonNov22 is 11:00 on 2026-11-22 in Shanghai.
var noonNov22 = time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)

// serials lists the numbers of a day from first to last.
func serials(day string, first, last int) []string {
	var out []string
	for i := first; i <= last; i++ {
		out = append(out, fmt.Sprintf("TS%s%03d", day, i))
	}
	return out
}

// newTicket files a minimal ticket, for use from any goroutine.
func newTicket(ctx context.Context, d *desktest.Desk, login, title string) (ticket.Ticket, error) {
	return d.Tickets.Create(ctx, d.Actors[login], ticket.CreateInput{Title: title, Description: "描述", Category: "software"})
}

// allNumbers lists every ticket number on the desk, sorted, as the admin sees them.
func allNumbers(t *testing.T, d *desktest.Desk) []string {
	t.Helper()
	var out []string
	in := ticket.ListInput{Limit: ticket.MaxPageSize}
	for {
		p, err := d.Tickets.List(context.Background(), d.Actors["admin"], in)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range p.Tickets {
			out = append(out, tk.Number)
		}
		if p.Next == "" {
			break
		}
		in.Cursor = p.Next
	}
	slices.Sort(out)
	return out
}

func TestNumbersConcurrent(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{Now: newClock(noonNov22).Now})
		const total, workers = 300, 32
		numbers := make([]string, total)
		errs := make([]error, total)
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := range workers {
			login := []string{"cust1", "cust2", "cust3"}[w%3]
			wg.Go(func() {
				for {
					i := next.Add(1) - 1
					if i >= total {
						return
					}
					tk, err := newTicket(ctx, d, login, fmt.Sprintf("并发 concurrent %d", i))
					numbers[i], errs[i] = tk.Number, err
				}
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("ticket %d: %v", i, err)
			}
		}
		slices.Sort(numbers)
		want := serials("20261122", 1, total)
		if !slices.Equal(numbers, want) {
			t.Errorf("returned numbers: got %v, want %s…%s", numbers, want[0], want[total-1])
		}
		if got := allNumbers(t, d); !slices.Equal(got, want) {
			t.Errorf("stored numbers: got %d (%v), want %s…%s", len(got), got, want[0], want[total-1])
		}
	})
}

// TestNumbersGaplessWhenCreationsFail mixes failing creations (a category
// that does not exist, a cancelled request) into concurrent ones: a failed
// creation gives its number back, even when it shared a transaction with
// others.
func TestNumbersGaplessWhenCreationsFail(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{Now: newClock(noonNov22).Now})
		first, err := newTicket(ctx, d, "cust1", "模板 template")
		if err != nil {
			t.Fatal(err)
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		broken := func(c context.Context, categoryID int64) error {
			tk := first
			tk.ID, tk.Number, tk.CategoryID = 0, "", categoryID
			_, _, err := db.Tickets().CreateTicket(c, ticket.NewRecord{Ticket: tk, Day: "20261122", CreatedBy: tk.RequesterID})
			return err
		}
		const n = 200
		kinds := []string{"ok", "bad category", "ok", "cancelled"}
		numbers := make([]string, n)
		errs := race(n, func(i int) error {
			switch kinds[i%len(kinds)] {
			case "bad category":
				return broken(ctx, 1<<40)
			case "cancelled":
				return broken(cancelled, first.CategoryID)
			}
			tk, err := newTicket(ctx, d, "cust2", fmt.Sprintf("混合 mixed %d", i))
			numbers[i] = tk.Number
			return err
		})
		var created []string
		for i, err := range errs {
			kind := kinds[i%len(kinds)]
			if got := err == nil; got != (kind == "ok") {
				t.Errorf("creation %d (%s): got %v, want success %v", i, kind, err, kind == "ok")
			}
			if err == nil {
				created = append(created, numbers[i])
			}
		}
		slices.Sort(created)
		if want := serials("20261122", 2, n/2+1); !slices.Equal(created, want) {
			t.Errorf("created numbers: got %v, want %s…%s", created, want[0], want[len(want)-1])
		}
		if got, want := allNumbers(t, d), serials("20261122", 1, n/2+1); !slices.Equal(got, want) {
			t.Errorf("stored numbers: got %d, want %d gapless", len(got), len(want))
		}
		if tk, err := newTicket(ctx, d, "cust1", "之后 after"); err != nil || tk.Number != fmt.Sprintf("TS20261122%03d", n/2+2) {
			t.Errorf("next: got %s (%v), want TS20261122%03d", tk.Number, err, n/2+2)
		}
	})
}

func TestNumberDayInSiteZone(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(noonNov22)
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		// Asia/Shanghai is UTC+8 all year: its day starts at 16:00 UTC.
		for _, tc := range []struct {
			at   string
			want string
		}{
			{"2026-11-22T15:59:59Z", "TS20261122001"},
			{"2026-11-22T16:00:00Z", "TS20261123001"},
			{"2026-11-22T17:00:00Z", "TS20261123002"},
			{"2026-11-22T23:59:59Z", "TS20261123003"},
			{"2026-11-23T00:00:00Z", "TS20261123004"},
			{"2026-11-23T15:59:59Z", "TS20261123005"},
			{"2026-12-31T16:00:00Z", "TS20270101001"},
		} {
			t.Run(tc.at, func(t *testing.T) {
				at, err := time.Parse(time.RFC3339, tc.at)
				if err != nil {
					t.Fatal(err)
				}
				clk.Set(at)
				tk, err := newTicket(ctx, d, "cust1", "时区 "+tc.at)
				if err != nil {
					t.Fatal(err)
				}
				if tk.Number != tc.want {
					t.Errorf("number: got %s, want %s", tk.Number, tc.want)
				}
				if !tk.CreatedAt.Equal(at) || tk.CreatedAt.Location() != time.UTC {
					t.Errorf("created: got %v, want %v in UTC", tk.CreatedAt, at)
				}
			})
		}
	})
}

// TestNumberPastThreeDigits files 1001 tickets in one day: the serial
// widens to four digits instead of wrapping or failing.
func TestNumberPastThreeDigits(t *testing.T) {
	ctx := context.Background()
	d := desktest.New(t, storetest.SQLite(t), desktest.Options{Now: newClock(noonNov22).Now})
	var got []string
	for i := range 1001 {
		tk, err := newTicket(ctx, d, "cust1", fmt.Sprintf("第 %d 张", i+1))
		if err != nil {
			t.Fatalf("ticket %d: %v", i+1, err)
		}
		got = append(got, tk.Number)
	}
	for _, tc := range []struct {
		serial int
		want   string
	}{
		{1, "TS20261122001"},
		{99, "TS20261122099"},
		{999, "TS20261122999"},
		{1000, "TS202611221000"},
		{1001, "TS202611221001"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got[tc.serial-1] != tc.want {
				t.Errorf("ticket %d: got %s, want %s", tc.serial, got[tc.serial-1], tc.want)
			}
		})
	}
	if n := len(slices.Compact(slices.Sorted(slices.Values(got)))); n != 1001 {
		t.Errorf("distinct numbers: got %d, want 1001", n)
	}
}

// rawEngines runs fn on each engine with a migrated store and a raw
// connection to the same database, for rows no service writes directly.
func rawEngines(t *testing.T, fn func(t *testing.T, db *store.DB, raw *sql.DB)) {
	open := func(t *testing.T, url, driver, rawDSN string) {
		ctx := context.Background()
		db, err := store.Open(ctx, url, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		raw, err := sql.Open(driver, rawDSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		fn(t, db, raw)
	}
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "helpdesk.db")
		open(t, "sqlite:"+path, "sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.PostgresURL(t)
		open(t, dsn, "pgx", dsn)
	})
}

func TestNumberCounterBoundaries(t *testing.T) {
	rawEngines(t, func(t *testing.T, db *store.DB, raw *sql.DB) {
		ctx := context.Background()
		clk := newClock(noonNov22)
		d := desktest.New(t, db, desktest.Options{Now: clk.Now})
		format := regexp.MustCompile(`^TS\d{8}\d{3,}$`)
		for _, tc := range []struct {
			at   time.Time
			last int // the counter as the day left it
			want []string
		}{
			{noonNov22, 998, []string{"TS20261122999", "TS202611221000", "TS202611221001"}},
			{noonNov22.AddDate(0, 0, 1), 9998, []string{"TS202611239999", "TS2026112310000"}},
		} {
			t.Run(tc.want[0], func(t *testing.T) {
				clk.Set(tc.at)
				day := tc.at.In(time.FixedZone("CST", 8*3600)).Format("20060102")
				if _, err := raw.ExecContext(ctx, `INSERT INTO ticket_counters (day, last) VALUES ($1, $2)`, day, tc.last); err != nil {
					t.Fatal(err)
				}
				for _, want := range tc.want {
					tk, err := newTicket(ctx, d, "cust2", "边界 boundary")
					if err != nil {
						t.Fatal(err)
					}
					if tk.Number != want || !format.MatchString(tk.Number) {
						t.Errorf("got %s, want %s", tk.Number, want)
					}
					got, err := d.Tickets.Get(ctx, d.Actors["cust2"], want)
					if err != nil || got.ID != tk.ID {
						t.Errorf("Get(%s): got id %d (%v), want %d", want, got.ID, err, tk.ID)
					}
				}
			})
		}
	})
}
