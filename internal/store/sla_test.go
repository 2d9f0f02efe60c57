package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"helpdesk/internal/apperr"
	"helpdesk/internal/sla"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

func TestSLADefaults(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		snap, err := db.SLA().Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if snap.Version != 1 {
			t.Errorf("version = %d, want 1", snap.Version)
		}
		for i := range snap.Calendars {
			snap.Calendars[i].UpdatedAt = time.Time{}
		}
		if want := sla.DefaultCalendars(); !reflect.DeepEqual(snap.Calendars, want) {
			t.Errorf("calendars:\n got %+v\nwant %+v", snap.Calendars, want)
		}
		for i := range snap.Policies {
			snap.Policies[i].UpdatedAt = time.Time{}
		}
		if want := sla.DefaultPolicies(); !reflect.DeepEqual(snap.Policies, want) {
			t.Errorf("policies:\n got %+v\nwant %+v", snap.Policies, want)
		}
		for _, c := range snap.Calendars {
			if _, err := c.Compile(); err != nil {
				t.Errorf("seeded calendar %s does not compile: %v", c.Key, err)
			}
		}
	})
}

func TestSLARoundTrip(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := db.SLA()
		version := func() int64 {
			t.Helper()
			v, err := s.Version(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		lunch := []sla.Span{{Start: 9 * time.Hour, End: 12 * time.Hour}, {Start: 13*time.Hour + 30*time.Minute, End: 18 * time.Hour}}
		c := sla.Calendar{Key: "cn-office", NameZH: "办公时间（含午休）", NameEN: "Office hours", TimeZone: "Asia/Shanghai",
			Hours: sla.Week{nil, lunch, lunch, lunch, lunch, lunch, {{Start: 10 * time.Hour, End: 24 * time.Hour}}}, MakeUpAs: time.Saturday,
			UpdatedAt: time.Date(2026, 1, 5, 9, 0, 0, 123456789, time.UTC)}
		// More days than one INSERT batch writes.
		for d := (sla.Date{Year: 2026, Month: 1, Day: 1}); len(c.Days) < 250; d = d.AddDays(1) {
			c.Days = append(c.Days, sla.SpecialDay{Date: d, Workday: len(c.Days)%7 == 0, Name: "节日 " + d.String()})
		}
		v0 := version()
		saved, err := s.SaveCalendar(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if saved.Revision != 1 || version() != v0+1 {
			t.Errorf("after create: revision %d, version %d; want 1 and %d", saved.Revision, version(), v0+1)
		}
		snap, err := s.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got sla.Calendar
		for _, sc := range snap.Calendars {
			if sc.Key == c.Key {
				got = sc
			}
		}
		if !reflect.DeepEqual(got, saved) {
			t.Errorf("read back:\n got %+v\nwant %+v", got, saved)
		}
		if snap.Version != v0+1 {
			t.Errorf("snapshot version = %d, want %d", snap.Version, v0+1)
		}

		saved.Days, saved.NameEN = saved.Days[:3], "Office hours (lunch)"
		again, err := s.SaveCalendar(ctx, saved)
		if err != nil || again.Revision != 2 {
			t.Fatalf("update: revision %d (%v), want 2", again.Revision, err)
		}
		if _, err := s.SaveCalendar(ctx, saved); !apperr.Is(err, "sla.calendar_changed") {
			t.Errorf("stale update: got %v, want sla.calendar_changed", err)
		}
		c.Revision = 0
		if _, err := s.SaveCalendar(ctx, c); !apperr.Is(err, "sla.calendar_exists") {
			t.Errorf("create twice: got %v, want sla.calendar_exists", err)
		}
		snap, _ = s.Snapshot(ctx)
		for _, sc := range snap.Calendars {
			if sc.Key == c.Key && (len(sc.Days) != 3 || sc.NameEN != "Office hours (lunch)" || sc.Revision != 2) {
				t.Errorf("after update: %d days, %q, revision %d", len(sc.Days), sc.NameEN, sc.Revision)
			}
		}

		p := sla.Policy{Priority: "P2", Calendar: c.Key, Acknowledge: 30 * time.Minute, FirstResponse: 3 * time.Hour,
			Resolution: 365 * 24 * time.Hour, WarnShare: 0.8, UpdatedAt: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
		v1 := version()
		if _, err := s.SavePolicy(ctx, p); err != nil {
			t.Fatal(err)
		}
		if version() != v1+1 {
			t.Errorf("policy change did not bump the version")
		}
		snap, _ = s.Snapshot(ctx)
		if !reflect.DeepEqual(snap.Policies[1], p) {
			t.Errorf("policy:\n got %+v\nwant %+v", snap.Policies[1], p)
		}
		p.Priority = "P9"
		if _, err := s.SavePolicy(ctx, p); !apperr.Is(err, "sla.policy_not_found") {
			t.Errorf("unknown priority: got %v, want sla.policy_not_found", err)
		}
		p.Priority, p.Calendar = "P2", "nowhere"
		if _, err := s.SavePolicy(ctx, p); err == nil {
			t.Errorf("policy on a missing calendar: got nil, want a foreign key error")
		}
		if version() != v1+1 {
			t.Errorf("failed changes bumped the version")
		}
	})
}
