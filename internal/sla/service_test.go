package sla_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/identity"
	"helpdesk/internal/sla"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

var (
	admin    = identity.Actor{UserID: 1, Login: "admin", Role: identity.RoleAdmin}
	agent    = identity.Actor{UserID: 2, Login: "agent1", Role: identity.RoleAgent}
	customer = identity.Actor{UserID: 3, Login: "cust1", Role: identity.RoleCustomer}
	fixedNow = func() time.Time { return at(shanghai, "2026-01-05 09:00") }
)

// countingStore counts the snapshots a service loads.
type countingStore struct {
	sla.Store
	versions, snapshots atomic.Int64
}

func (c *countingStore) Version(ctx context.Context) (int64, error) {
	c.versions.Add(1)
	return c.Store.Version(ctx)
}

func (c *countingStore) Snapshot(ctx context.Context) (sla.Snapshot, error) {
	c.snapshots.Add(1)
	return c.Store.Snapshot(ctx)
}

func newService(db *store.DB) (*sla.Service, *countingStore) {
	cs := &countingStore{Store: db.SLA()}
	return sla.NewService(sla.Deps{Store: cs, Now: fixedNow}), cs
}

// codes lists the error codes in err, every field error of a Multi.
func codes(err error) []string {
	var m *apperr.Multi
	if errors.As(err, &m) {
		var out []string
		for _, e := range m.Errors {
			out = append(out, e.Code)
		}
		return out
	}
	if e, ok := apperr.As(err); ok {
		return []string{e.Code}
	}
	return nil
}

func TestForPriority(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, cs := newService(db)
		for _, want := range sla.DefaultPolicies() {
			p, cal, err := svc.ForPriority(ctx, want.Priority)
			if err != nil {
				t.Fatal(err)
			}
			p.UpdatedAt = time.Time{}
			if p != want || cal.Key != want.Calendar {
				t.Errorf("%s: got %+v on %s, want %+v", want.Priority, p, cal.Key, want)
			}
			if cal.AlwaysOpen() != (cal.Key == sla.Always) {
				t.Errorf("%s: AlwaysOpen = %v", cal.Key, cal.AlwaysOpen())
			}
		}
		if got := cs.snapshots.Load(); got != 1 {
			t.Errorf("snapshots loaded = %d, want 1 while nothing changes", got)
		}
		if _, _, err := svc.ForPriority(ctx, "P9"); !apperr.Is(err, "sla.priority_invalid") {
			t.Errorf("P9: got %v, want sla.priority_invalid", err)
		}

		// Another node changes the P3 policy; this one sees it on its next call.
		other, _ := newService(db)
		p3 := sla.DefaultPolicies()[2]
		p3.FirstResponse = 6 * time.Hour
		if _, err := other.SavePolicy(ctx, admin, p3); err != nil {
			t.Fatal(err)
		}
		p, cal, err := svc.ForPriority(ctx, "P3")
		if err != nil || p.FirstResponse != 6*time.Hour || cal.Key != sla.Workdays {
			t.Errorf("after another node's change: got %+v on %s (%v), want first response 6h", p, cal.Key, err)
		}
		if got := cs.snapshots.Load(); got != 2 {
			t.Errorf("snapshots loaded = %d, want 2", got)
		}
	})
}

func TestPermissions(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	svc, _ := newService(db)
	if _, err := svc.Calendars(ctx, customer); !apperr.Is(err, "auth.forbidden") {
		t.Errorf("customer Calendars: got %v, want auth.forbidden", err)
	}
	if _, err := svc.Policies(ctx, customer); !apperr.Is(err, "auth.forbidden") {
		t.Errorf("customer Policies: got %v, want auth.forbidden", err)
	}
	cals, err := svc.Calendars(ctx, agent)
	if err != nil || len(cals) != 2 || cals[0].Key != sla.Always || cals[1].Key != sla.Workdays {
		t.Errorf("agent Calendars: got %d (%v), want 24x7 and workdays", len(cals), err)
	}
	if pols, err := svc.Policies(ctx, agent); err != nil || len(pols) != 4 || pols[0].Priority != "P1" {
		t.Errorf("agent Policies: got %+v (%v), want P1–P4", pols, err)
	}
	if _, err := svc.SaveCalendar(ctx, agent, cals[1]); !apperr.Is(err, "auth.forbidden") {
		t.Errorf("agent SaveCalendar: got %v, want auth.forbidden", err)
	}
	if _, err := svc.SavePolicy(ctx, agent, sla.DefaultPolicies()[0]); !apperr.Is(err, "auth.forbidden") {
		t.Errorf("agent SavePolicy: got %v, want auth.forbidden", err)
	}
	if _, err := svc.ImportICS(ctx, agent, sla.Workdays, strings.NewReader("")); !apperr.Is(err, "auth.forbidden") {
		t.Errorf("agent ImportICS: got %v, want auth.forbidden", err)
	}
	if _, err := svc.Calendar(ctx, agent, "nope"); !apperr.Is(err, "sla.calendar_not_found") || apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("missing calendar: got %v, want sla.calendar_not_found", err)
	}
}

func TestSaveCalendarValidation(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	svc, _ := newService(db)
	good := func() sla.Calendar {
		c := office()
		c.Key = "office"
		return c
	}
	tooMany := make([]sla.Span, sla.MaxSpansPerDay+1)
	for i := range tooMany {
		tooMany[i] = sla.Span{Start: time.Duration(i) * time.Hour, End: time.Duration(i)*time.Hour + 30*time.Minute}
	}
	for _, tc := range []struct {
		name   string
		change func(c *sla.Calendar)
		want   []string
	}{
		{"bad key", func(c *sla.Calendar) { c.Key = "Office Hours" }, []string{"sla.key_invalid"}},
		{"missing names", func(c *sla.Calendar) { c.NameZH, c.NameEN = " ", "" }, []string{"field.required", "field.required"}},
		{"long name", func(c *sla.Calendar) { c.NameEN = strings.Repeat("x", sla.MaxNameLen+1) }, []string{"field.too_long"}},
		{"unknown zone", func(c *sla.Calendar) { c.TimeZone = "Asia/Beijing" }, []string{"sla.timezone_invalid"}},
		{"empty zone", func(c *sla.Calendar) { c.TimeZone = "" }, []string{"sla.timezone_invalid"}},
		{"local zone", func(c *sla.Calendar) { c.TimeZone = "Local" }, []string{"sla.timezone_invalid"}},
		{"span past midnight", func(c *sla.Calendar) { c.Hours[1] = []sla.Span{{Start: 22 * time.Hour, End: 26 * time.Hour}} }, []string{"sla.span_invalid"}},
		{"span backwards", func(c *sla.Calendar) { c.Hours[1] = []sla.Span{{Start: 18 * time.Hour, End: 9 * time.Hour}} }, []string{"sla.span_invalid"}},
		{"empty span", func(c *sla.Calendar) { c.Hours[1] = []sla.Span{{Start: 9 * time.Hour, End: 9 * time.Hour}} }, []string{"sla.span_invalid"}},
		{"overlapping spans", func(c *sla.Calendar) { c.Hours[2] = spans("09:00-13:00", "12:00-18:00") }, []string{"sla.span_invalid"}},
		{"seconds", func(c *sla.Calendar) {
			c.Hours[2] = []sla.Span{{Start: 9*time.Hour + time.Second, End: 10 * time.Hour}}
		}, []string{"sla.span_invalid"}},
		{"too many spans", func(c *sla.Calendar) { c.Hours[3] = tooMany }, []string{"sla.spans_too_many"}},
		{"no hours", func(c *sla.Calendar) { c.Hours, c.Days = sla.Week{}, nil }, []string{"sla.no_working_time"}},
		{"make-up weekday without hours", func(c *sla.Calendar) { c.MakeUpAs = time.Sunday }, []string{"sla.makeup_weekday_invalid"}},
		{"make-up weekday out of range", func(c *sla.Calendar) { c.MakeUpAs = 7 }, []string{"sla.makeup_weekday_invalid"}},
		{"duplicate date", func(c *sla.Calendar) { c.Days = append(c.Days, sla.SpecialDay{Date: date("2026-01-01")}) }, []string{"sla.day_duplicate"}},
		{"no such date", func(c *sla.Calendar) { c.Days = []sla.SpecialDay{{Date: sla.Date{Year: 2026, Month: 2, Day: 29}}} }, []string{"sla.date_invalid"}},
		{"year out of range", func(c *sla.Calendar) { c.Days = []sla.SpecialDay{{Date: date("1900-01-01")}} }, []string{"sla.date_invalid"}},
		{"too many days", func(c *sla.Calendar) {
			c.Days = nil
			for d := date("2026-01-01"); len(c.Days) <= sla.MaxSpecialDays; d = d.AddDays(1) {
				c.Days = append(c.Days, sla.SpecialDay{Date: d})
			}
		}, []string{"sla.days_too_many"}},
		{"several at once", func(c *sla.Calendar) { c.Key, c.TimeZone = "", "nowhere" }, []string{"sla.key_invalid", "sla.timezone_invalid"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good()
			tc.change(&c)
			_, err := svc.SaveCalendar(ctx, admin, c)
			if got := codes(err); !slices.Equal(got, tc.want) {
				t.Errorf("got %v (%v), want %v", got, err, tc.want)
			}
			if apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("kind = %v, want invalid", apperr.KindOf(err))
			}
		})
	}
}

func TestSaveCalendar(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(db)
		c := office()
		// Spans and days in any order are stored sorted.
		c.Hours[1] = spans("13:30-18:00", "09:00-12:00")
		slices.Reverse(c.Days)
		saved, err := svc.SaveCalendar(ctx, admin, c)
		if err != nil {
			t.Fatal(err)
		}
		if saved.Revision != 1 || !saved.UpdatedAt.Equal(fixedNow()) || saved.Hours[1][0] != span("09:00-12:00") {
			t.Errorf("saved = rev %d at %v, Monday %v", saved.Revision, saved.UpdatedAt, saved.Hours[1])
		}
		got, err := svc.Calendar(ctx, agent, "office")
		if err != nil {
			t.Fatal(err)
		}
		if got.Days[0].Date != date("2026-01-01") || !got.Days[3].Workday || got.Revision != 1 || got.NameZH != "办公时间" {
			t.Errorf("read back %+v", got)
		}
		if !got.Working(at(shanghai, "2026-01-04 10:00")) {
			t.Errorf("make-up Sunday not working after a round trip")
		}
		if _, err := svc.SaveCalendar(ctx, admin, c); !apperr.Is(err, "sla.calendar_exists") || apperr.KindOf(err) != apperr.Conflict {
			t.Errorf("create twice: got %v, want sla.calendar_exists", err)
		}
		got.NameEN = "Office hours (Shanghai)"
		if _, err := svc.SaveCalendar(ctx, admin, got); err != nil {
			t.Fatal(err)
		}
		got.NameEN = "stale"
		if _, err := svc.SaveCalendar(ctx, admin, got); !apperr.Is(err, "sla.calendar_changed") {
			t.Errorf("stale revision: got %v, want sla.calendar_changed", err)
		}
		got.Key, got.Revision = "ghost", 3
		if _, err := svc.SaveCalendar(ctx, admin, got); !apperr.Is(err, "sla.calendar_not_found") {
			t.Errorf("update of a missing calendar: got %v, want sla.calendar_not_found", err)
		}
	})
}

func TestSavePolicyValidation(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	svc, _ := newService(db)
	for _, tc := range []struct {
		name   string
		change func(p *sla.Policy)
		want   []string
	}{
		{"unknown priority", func(p *sla.Policy) { p.Priority = "P5" }, []string{"sla.priority_invalid"}},
		{"unknown calendar", func(p *sla.Policy) { p.Calendar = "moon" }, []string{"sla.calendar_not_found"}},
		{"zero target", func(p *sla.Policy) { p.Acknowledge = 0 }, []string{"sla.target_invalid"}},
		{"negative target", func(p *sla.Policy) { p.FirstResponse = -time.Hour }, []string{"sla.target_invalid"}},
		{"over a year", func(p *sla.Policy) { p.Resolution = sla.MaxTarget + time.Minute }, []string{"sla.target_invalid"}},
		{"not whole minutes", func(p *sla.Policy) { p.Resolution = time.Hour + time.Second }, []string{"sla.target_invalid"}},
		{"warn share 0", func(p *sla.Policy) { p.WarnShare = 0 }, []string{"sla.warn_share_invalid"}},
		{"warn share 1", func(p *sla.Policy) { p.WarnShare = 1 }, []string{"sla.warn_share_invalid"}},
		{"everything", func(p *sla.Policy) { *p = sla.Policy{Priority: "P1"} },
			[]string{"sla.calendar_not_found", "sla.target_invalid", "sla.target_invalid", "sla.target_invalid", "sla.warn_share_invalid"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := sla.DefaultPolicies()[0]
			tc.change(&p)
			_, err := svc.SavePolicy(ctx, admin, p)
			if got := codes(err); !slices.Equal(got, tc.want) {
				t.Errorf("got %v (%v), want %v", got, err, tc.want)
			}
		})
	}
	p := sla.DefaultPolicies()[0]
	p.Calendar, p.Resolution, p.WarnShare = sla.Workdays, sla.MaxTarget, 0.5
	saved, err := svc.SavePolicy(ctx, admin, p)
	if err != nil || saved.Resolution != sla.MaxTarget || !saved.UpdatedAt.Equal(fixedNow()) {
		t.Errorf("SavePolicy = %+v (%v)", saved, err)
	}
}

func TestImportICS(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(db)
		for range 2 { // importing again changes nothing
			f, err := os.Open("testdata/cn-holidays-2026.ics")
			if err != nil {
				t.Fatal(err)
			}
			res, err := svc.ImportICS(ctx, admin, sla.Workdays, f)
			f.Close()
			if err != nil || res.Holidays != 33 || res.Workdays != 6 || len(res.Skipped) != 1 {
				t.Fatalf("import: got %d holidays, %d workdays, %d skipped (%v)", res.Holidays, res.Workdays, len(res.Skipped), err)
			}
		}
		_, cal, err := svc.ForPriority(ctx, "P3")
		if err != nil {
			t.Fatal(err)
		}
		if len(cal.Days) != 39 || cal.Revision != 3 {
			t.Errorf("calendar: %d days at revision %d, want 39 at 3", len(cal.Days), cal.Revision)
		}
		// A P3 ticket filed on the Friday before the Spring Festival: the
		// make-up Saturday counts, the nine days off do not.
		clocks := sla.NewClocks(sla.DefaultPolicies()[2], cal, at(shanghai, "2026-02-13 17:00"))
		if got := fmtTime(clocks.FirstResponse.Due); got != "2026-02-14 16:00" {
			t.Errorf("first response due %s, want 2026-02-14 16:00", got)
		}
		if got := fmtTime(clocks.Resolution.Due); got != "2026-02-27 12:00" {
			t.Errorf("resolution due %s, want 2026-02-27 12:00", got)
		}
		if _, err := svc.ImportICS(ctx, admin, "nope", strings.NewReader(ics())); !apperr.Is(err, "sla.calendar_not_found") {
			t.Errorf("unknown calendar: got %v, want sla.calendar_not_found", err)
		}
		if _, err := svc.ImportICS(ctx, admin, sla.Workdays, strings.NewReader("garbage")); !apperr.Is(err, "sla.ics_invalid") {
			t.Errorf("garbage: got %v, want sla.ics_invalid", err)
		}
	})
}

// TestForPriorityConcurrent reads policies from many goroutines while an
// admin changes them; run with -race.
func TestForPriorityConcurrent(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	svc, _ := newService(db)
	done := make(chan struct{})
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				p, cal, err := svc.ForPriority(ctx, "P3")
				if err == nil && (p.Calendar != cal.Key || p.FirstResponse < 8*time.Hour) {
					err = errors.New("inconsistent policy " + p.Calendar + " / " + cal.Key)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	p := sla.DefaultPolicies()[2]
	for i := range 20 {
		p.FirstResponse = time.Duration(8+i) * time.Hour
		if _, err := svc.SavePolicy(ctx, admin, p); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got, _, _ := svc.ForPriority(ctx, "P3"); got.FirstResponse != 27*time.Hour {
		t.Errorf("final first response = %v, want 27h", got.FirstResponse)
	}
}
