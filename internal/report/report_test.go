package report_test

import (
	"context"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/identity"
	"helpdesk/internal/report"
	"helpdesk/internal/sla"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// at is a wall-clock time in Asia/Shanghai in October 2026 (September for
// day 30 and below 1 … handled by time.Date normalising).
func at(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, shanghai)
}

// fixture is a hand-built desk: four tickets with a known history around
// the 2026 National Day holiday (1 October, a Thursday, is a holiday; 10
// October, a Saturday, a make-up workday with Monday's hours).
type fixture struct {
	desk   *desktest.Desk
	rep    *report.Service
	now    time.Time
	number map[string]string
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{number: map[string]string{}}
	f.now = at(time.September, 1, 9, 0)
	clock := func() time.Time { return f.now }
	f.desk = desktest.New(t, db, desktest.Options{Now: clock})
	d := f.desk
	admin := d.Actors["admin"]
	cal, err := d.SLA.Calendar(ctx, admin, sla.Workdays)
	if err != nil {
		t.Fatal(err)
	}
	cal.Days = []sla.SpecialDay{
		{Date: sla.Date{Year: 2026, Month: 10, Day: 1}, Name: "国庆节"},
		{Date: sla.Date{Year: 2026, Month: 10, Day: 10}, Workday: true, Name: "国庆节补班"},
	}
	if _, err := d.SLA.SaveCalendar(ctx, admin, cal); err != nil {
		t.Fatal(err)
	}
	f.rep = report.NewService(report.Deps{Store: db.Reports(), Refresh: db.Reports(), Directory: db.Identity(),
		Categories: db.Reports(), Calendars: d.SLA, Location: shanghai, Now: clock})

	cust, agent := d.Actors["cust1"], d.Actors["agent1"]
	step := func(when time.Time, what string, fn func() error) {
		t.Helper()
		f.now = when
		if err := fn(); err != nil {
			t.Fatalf("%s at %s: %v", what, when, err)
		}
	}
	create := func(name string, when time.Time) {
		f.now = when
		f.number[name] = d.NewTicket(t, "cust1", name+" 打印机无法连接").Number
	}
	status := func(by identity.Actor, name string, to ticket.Status) func() error {
		return func() error { _, err := d.Tickets.ChangeStatus(ctx, by, f.number[name], 0, to, ""); return err }
	}
	reply := func(by identity.Actor, name string) func() error {
		return func() error {
			_, err := d.Tickets.AddMessage(ctx, by, f.number[name], ticket.MessageInput{Body: "请重启后再试 please retry"})
			return err
		}
	}
	claim := func(name string) func() error {
		return func() error { _, err := d.Tickets.Claim(ctx, agent, f.number[name]); return err }
	}

	// T1: Wed 30 Sep 17:00, answered on the holiday, resolved Fri 2 Oct.
	create("T1", at(time.September, 30, 17, 0))
	step(at(time.September, 30, 17, 30), "claim T1", claim("T1"))
	step(at(time.October, 1, 10, 0), "reply T1", reply(agent, "T1"))
	step(at(time.October, 2, 10, 0), "propose T1", status(agent, "T1", ticket.StatusAwaitingConfirmation))
	step(at(time.October, 2, 11, 0), "confirm T1", status(cust, "T1", ticket.StatusResolved))
	step(at(time.October, 2, 12, 0), "rate T1", func() error {
		_, err := d.Tickets.Rate(ctx, cust, f.number["T1"], ticket.VerySatisfied, "")
		return err
	})

	// T2: Fri 9 Oct 17:00, answered on the make-up Saturday, resolved
	// Monday, rated poorly, reopened and resolved again.
	create("T2", at(time.October, 9, 17, 0))
	step(at(time.October, 9, 17, 10), "claim T2", claim("T2"))
	step(at(time.October, 10, 10, 0), "reply T2", reply(agent, "T2"))
	step(at(time.October, 10, 12, 0), "propose T2", status(agent, "T2", ticket.StatusAwaitingConfirmation))
	step(at(time.October, 12, 9, 30), "confirm T2", status(cust, "T2", ticket.StatusResolved))
	step(at(time.October, 12, 10, 0), "rate T2", func() error {
		_, err := d.Tickets.Rate(ctx, cust, f.number["T2"], ticket.Dissatisfied, "还是不行")
		return err
	})
	step(at(time.October, 12, 11, 0), "reopen T2", reply(cust, "T2"))
	step(at(time.October, 12, 12, 0), "propose T2 again", status(agent, "T2", ticket.StatusAwaitingConfirmation))
	step(at(time.October, 12, 13, 0), "confirm T2 again", status(cust, "T2", ticket.StatusResolved))
	step(at(time.October, 12, 15, 0), "follow up T2", func() error {
		fus, err := d.Tickets.Followups(ctx, d.Actors["super1"], f.number["T2"])
		if err != nil || len(fus) != 1 {
			t.Fatalf("follow-ups of T2: %v %v", fus, err)
		}
		_, err = d.Tickets.CompleteFollowup(ctx, d.Actors["super1"], f.number["T2"], fus[0].ID, "已回访")
		return err
	})

	// T3: Mon 12 Oct 09:00, never picked up: first response breaches at 17:00.
	create("T3", at(time.October, 12, 9, 0))
	step(at(time.October, 12, 17, 30), "tick T3", func() error { return d.Tickets.SLATick(ctx, f.number["T3"]) })

	// T4: Mon 12 Oct 10:00, withdrawn by the customer at 10:30.
	create("T4", at(time.October, 12, 10, 0))
	step(at(time.October, 12, 10, 30), "close T4", status(cust, "T4", ticket.StatusClosed))

	f.now = at(time.October, 13, 18, 0)
	if _, err := f.rep.Refresh(ctx, 100); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) query(t *testing.T, from, to string, k report.FilterKeys, iv report.Interval) report.Query {
	t.Helper()
	q, err := f.rep.Resolve(context.Background(), f.desk.Actors["super1"], from, to, k, iv)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func rate(num, den int64) report.Rate { return report.Rate{Num: num, Den: den} }

func TestFiguresOnHandBuiltDesk(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		by := f.desk.Actors["super1"]
		// The whole desk (rollup), and the same tickets through a filter of
		// two dimensions (read from the facts): the figures must agree.
		for name, k := range map[string]report.FilterKeys{"all": {}, "group+priority": {Group: "software", Priority: "P3"}} {
			t.Run(name, func(t *testing.T) {
				q := f.query(t, "2026-09-28", "2026-10-13", k, report.Day)
				vol, err := f.rep.Volume(ctx, by, q)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := [6]int64{vol.Created, vol.Resolved, vol.Closed, vol.Reopened, vol.OpenAtStart, vol.OpenAtEnd}, [6]int64{4, 3, 1, 1, 0, 1}; got != want {
					t.Errorf("volume created/resolved/closed/reopened/open at start/end = %v, want %v", got, want)
				}
				if len(vol.Points) != 16 {
					t.Fatalf("points = %d, want 16 days", len(vol.Points))
				}
				// 12 Oct: T3 and T4 created, T2 resolved twice, reopened once, T4 closed.
				p := vol.Points[14]
				if got, want := [5]int64{p.Created, p.Resolved, p.Closed, p.Reopened, p.Open}, [5]int64{2, 2, 1, 1, 1}; got != want || !p.Start.Equal(at(time.October, 12, 0, 0)) {
					t.Errorf("12 Oct point %v = %v, want %v", p.Start, got, want)
				}
				if p := vol.Points[2]; p.Created != 1 || p.Open != 1 { // 30 Sep
					t.Errorf("30 Sep point = %+v", p)
				}

				tm, err := f.rep.Times(ctx, by, q)
				if err != nil {
					t.Fatal(err)
				}
				// First response: T1 17 h calendar / 1 h working (the holiday
				// counts nothing); T2 17 h / 2 h (Friday 17–18, make-up Saturday 9–10).
				want := report.Times{
					FirstResponseCal:  report.Stat{N: 2, Avg: 61200, Median: 61200, P90: 61200},
					FirstResponseWork: report.Stat{N: 2, Avg: 5400, Median: 3600, P90: 7200},
					// Resolution: T1 42 h / 3 h; T2 68 h / 14 h (Fri 1 + Sat 9 + Mon 9–13 4).
					ResolutionCal:  report.Stat{N: 2, Avg: 198000, Median: 151200, P90: 244800},
					ResolutionWork: report.Stat{N: 2, Avg: 30600, Median: 10800, P90: 50400},
				}
				if tm != want {
					t.Errorf("times = %+v\nwant    %+v", tm, want)
				}

				s, err := f.rep.SLA(ctx, by, q)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := [3]report.Clock{s.Acknowledge.Clock, s.FirstResponse.Clock, s.Resolution.Clock},
					[3]report.Clock{{Met: 2, Pending: 2}, {Met: 2, Breached: 1, Pending: 1}, {Met: 2, Pending: 2}}; got != want {
					t.Errorf("SLA clocks = %+v, want %+v", got, want)
				}
				if s.FirstResponse.Rate != rate(2, 3) {
					t.Errorf("first response compliance = %+v, want 2/3", s.FirstResponse.Rate)
				}
				if len(s.Breaches) != 1 || s.Breaches[0].Number != f.number["T3"] || s.Breaches[0].Kind != sla.FirstResponse ||
					s.Breaches[0].Cause != report.CauseUnassigned || !s.Breaches[0].At.Equal(at(time.October, 12, 17, 30)) {
					t.Errorf("breaches = %+v, want T3 first_response unassigned at 17:30", s.Breaches)
				}

				r, err := f.rep.Rates(ctx, by, q)
				if err != nil {
					t.Fatal(err)
				}
				if r.Tickets != 4 || r.Resolution != rate(3, 4) || r.FirstContact != rate(1, 3) || r.Reopen != rate(1, 3) ||
					r.Escalation != rate(1, 4) || r.DeflectionAvailable {
					t.Errorf("rates = %+v", r)
				}

				sat, err := f.rep.Satisfaction(ctx, by, q)
				if err != nil {
					t.Fatal(err)
				}
				if sat.Ratings != [4]int64{1, 0, 0, 1} || sat.CSAT != rate(1, 2) || sat.Response != rate(2, 3) ||
					sat.FollowupsDue != 1 || sat.FollowupsOnTime != rate(1, 1) {
					t.Errorf("satisfaction = %+v", sat)
				}
			})
		}

		t.Run("team", func(t *testing.T) {
			q := f.query(t, "2026-09-28", "2026-10-13", report.FilterKeys{}, report.Day)
			ms, err := f.rep.Team(ctx, by, q, report.DimAgent)
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != 1 || ms[0].Name != "agent1" || ms[0].Handled != 2 || ms[0].Open != 0 ||
				ms[0].HandlingWork.Avg != 30600 || ms[0].CSAT != rate(1, 2) {
				t.Errorf("agents = %+v", ms)
			}
			gs, err := f.rep.Team(ctx, by, q, report.DimGroup)
			if err != nil {
				t.Fatal(err)
			}
			if len(gs) != 1 || gs[0].Name != "software" || gs[0].Handled != 3 || gs[0].Open != 1 {
				t.Errorf("groups = %+v", gs)
			}
		})

		t.Run("hourly", func(t *testing.T) {
			q := f.query(t, "2026-10-12", "2026-10-12", report.FilterKeys{Agent: "agent1"}, report.Hour)
			vol, err := f.rep.Volume(ctx, by, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(vol.Points) != 24 || vol.OpenAtStart != 1 { // T2 awaits confirmation
				t.Fatalf("hourly points = %d, open at start %d", len(vol.Points), vol.OpenAtStart)
			}
			// agent1's T2: resolved 09:30, reopened 11:00, resolved 13:00.
			for h, want := range map[int][3]int64{9: {1, 0, 0}, 11: {0, 1, 1}, 13: {1, 0, 0}} {
				p := vol.Points[h]
				if got := [3]int64{p.Resolved, p.Reopened, p.Open}; got != want {
					t.Errorf("%02d:00 resolved/reopened/open = %v, want %v", h, got, want)
				}
			}
		})

		t.Run("refresh again changes nothing", func(t *testing.T) {
			q := f.query(t, "2026-09-28", "2026-10-13", report.FilterKeys{}, report.Week)
			before, _ := f.rep.Volume(ctx, by, q)
			// Touch every ticket (a new mark each) and refresh twice.
			if _, err := f.desk.Tickets.AddMessage(ctx, f.desk.Actors["agent1"], f.number["T1"], ticket.MessageInput{Body: "note", Internal: true}); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if _, err := f.rep.Refresh(ctx, 10); err != nil {
					t.Fatal(err)
				}
			}
			after, _ := f.rep.Volume(ctx, by, q)
			if len(before.Points) != 3 || len(after.Points) != 3 || before.Created != after.Created || before.OpenAtEnd != after.OpenAtEnd {
				t.Errorf("weekly volume before %+v after %+v", before, after)
			}
		})
	})
}

func TestReportsNeedSupervisor(t *testing.T) {
	db := storetest.SQLite(t)
	d := desktest.New(t, db, desktest.Options{})
	rep := report.NewService(report.Deps{Store: db.Reports(), Directory: db.Identity(), Categories: db.Reports(), Location: shanghai})
	for _, login := range []string{"cust1", "agent1"} {
		if _, err := rep.Resolve(context.Background(), d.Actors[login], "2026-01-01", "2026-01-31", report.FilterKeys{}, report.Day); err == nil {
			t.Errorf("%s may read reports", login)
		}
	}
}
