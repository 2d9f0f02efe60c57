package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"helpdesk/internal/identity"
	"helpdesk/internal/kb"
	"helpdesk/internal/report"
	"helpdesk/internal/search"
	"helpdesk/internal/sla"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// minAccuracy is the held-out accuracy the category model must reach on the
// seeded history: it reaches about 0.9 (the priority model about 0.7),
// where always guessing the commonest category would score about 0.35.
const minAccuracy = 0.75

func TestSeedHistory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			t.Fatal(err)
		}
		d := Deps{DB: db, Location: loc, DataDir: t.TempDir(), History: true}
		before := time.Now()
		if _, err := Seed(ctx, d); err != nil {
			t.Fatalf("Seed: %v", err)
		}
		t.Logf("seeded with history in %v", time.Since(before))
		_, tickets, err := services(d, time.Now)
		if err != nil {
			t.Fatal(err)
		}

		// What the tickets' own history says happened.
		all := listAll(t, tickets)
		var resolvedEvents, ratings, settled int
		scores := map[string]int{}
		cats := map[string]int{}
		for _, tk := range all {
			if tk.CreatedAt.After(before) || tk.CreatedAt.Before(before.AddDate(0, 0, -historyDays-1)) {
				t.Errorf("%s: created %v, want within the %d days before %v", tk.Number, tk.CreatedAt, historyDays, before)
			}
			if tk.Status == ticket.StatusResolved || tk.Status == ticket.StatusClosed {
				settled++
				cats[tk.CategoryKey]++
			}
			evs, err := tickets.History(ctx, identity.System, tk.Number)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				switch {
				case e.Kind == ticket.EventStatus && e.To == string(ticket.StatusResolved):
					resolvedEvents++
				case e.Kind == ticket.EventRating && e.Field == "rating":
					ratings++
					scores[e.To]++
				}
			}
		}
		if got, min := len(all), len(scripts())+historyTickets*9/10; got < min {
			t.Errorf("got %d tickets, want at least %d", got, min)
		}
		for c, n := range cats {
			if n < 10 {
				t.Errorf("got %d settled %s tickets, want at least 10", n, c)
			}
		}
		if len(cats) != 5 {
			t.Errorf("got settled tickets in categories %v, want all five", cats)
		}

		// The supervisors' inboxes hold news of the current tickets only.
		current := map[string]bool{}
		for _, sc := range scripts() {
			current[sc.title] = true
		}
		for _, login := range []string{markerLogin, "super2"} {
			u, err := db.Identity().UserByLogin(ctx, login)
			if err != nil {
				t.Fatal(err)
			}
			ns, err := db.Notify().Notifications(ctx, u.ID, true, 0, 500)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range ns {
				if n.TicketNumber == "" {
					continue
				}
				tk, err := tickets.Get(ctx, identity.System, n.TicketNumber)
				if err != nil {
					t.Fatal(err)
				}
				if !current[tk.Title] {
					t.Errorf("%s: unread %s about history ticket %s %q, want it read", login, n.Kind, tk.Number, tk.Title)
				}
			}
		}

		// The reports, as the refresh job left them.
		reports := report.NewService(report.Deps{Store: db.Reports(), Refresh: db.Reports(), Location: loc,
			Calendars: sla.NewService(sla.Deps{Store: db.SLA()})})
		today := time.Now().In(loc).Format(time.DateOnly)
		from := time.Now().In(loc).AddDate(0, 0, -historyDays-1).Format(time.DateOnly)
		q, err := report.NewQuery(loc, from, today, report.Filter{}, report.Day)
		if err != nil {
			t.Fatal(err)
		}
		vol, err := reports.Volume(ctx, identity.System, q)
		if err != nil {
			t.Fatal(err)
		}
		if vol.Created != int64(len(all)) || vol.Resolved != int64(resolvedEvents) || vol.Reopened == 0 {
			t.Errorf("volume: got created %d, resolved %d, reopened %d; want %d, %d and some reopened",
				vol.Created, vol.Resolved, vol.Reopened, len(all), resolvedEvents)
		}
		sat, err := reports.Satisfaction(ctx, identity.System, q)
		if err != nil {
			t.Fatal(err)
		}
		if n := sat.Ratings[0] + sat.Ratings[1] + sat.Ratings[2] + sat.Ratings[3]; n != int64(ratings) {
			t.Errorf("satisfaction: got %d ratings, want %d (from the tickets' history)", n, ratings)
		}
		for i, s := range ticket.Scores {
			if sat.Ratings[i] == 0 || sat.Ratings[i] != int64(scores[string(s)]) {
				t.Errorf("satisfaction: got %d %s ratings, want %d and more than none", sat.Ratings[i], s, scores[string(s)])
			}
		}
		if sat.Ratings[0] <= sat.Ratings[3] {
			t.Errorf("satisfaction: got %v, want more 非常满意 than 不满意", sat.Ratings)
		}
		times, err := reports.Times(ctx, identity.System, q)
		if err != nil {
			t.Fatal(err)
		}
		slaRep, err := reports.SLA(ctx, identity.System, q)
		if err != nil {
			t.Fatal(err)
		}
		rates, err := reports.Rates(ctx, identity.System, q)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("volume %+v\nsatisfaction %+v\ntimes %+v\nSLA %+v\nrates %+v", vol, sat, times, slaRep, rates)
		if len(slaRep.Breaches) == 0 {
			t.Errorf("SLA: got no breaches, want some")
		}

		// The suggestion models, trained at seeding.
		for _, name := range []string{kb.ModelCategory, kb.ModelPriority} {
			m, err := db.KB().ModelInfo(ctx, name)
			if err != nil {
				t.Fatalf("model %s: %v", name, err)
			}
			t.Logf("model %s: held-out accuracy %.3f (%d trained, %d held out)", name, m.Accuracy, m.NTrain, m.NTest)
			if m.NTrain+m.NTest != settled {
				t.Errorf("model %s: got %d examples, want the %d settled tickets", name, m.NTrain+m.NTest, settled)
			}
			if name == kb.ModelCategory && m.Accuracy < minAccuracy {
				t.Errorf("model %s: got held-out accuracy %.3f, want at least %.2f", name, m.Accuracy, minAccuracy)
			}
		}

		// Search and similar tickets find the history.
		srch := search.NewService(search.Deps{Store: db.Search(), Tickets: tickets, Audiences: kb.AudiencesFor})
		admin, err := db.Identity().UserByLogin(ctx, adminLogin)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"硒鼓", "DHCP 地址池"} {
			res, err := srch.Search(ctx, identity.ActorOf(admin), search.Input{Q: q, Kind: "message"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total < 2 {
				t.Errorf("search %s: got %d messages, want the history's answers", q, res.Total)
			}
		}
		var vpn ticket.Ticket
		for _, tk := range all {
			if tk.Status == ticket.StatusClosed && strings.HasPrefix(tk.Title, "VPN ") {
				vpn = tk
				break
			}
		}
		kbs := kb.NewService(kb.Deps{Store: db.KB(), Tickets: tickets, Search: srch})
		rel, err := kbs.ForTicket(ctx, identity.ActorOf(admin), vpn.Number)
		if err != nil {
			t.Fatalf("similar to %s %q: %v", vpn.Number, vpn.Title, err)
		}
		var similar int
		for _, r := range rel.Tickets {
			if strings.Contains(r.Title, "VPN") {
				similar++
			}
		}
		if similar < 3 {
			t.Errorf("similar to %q: got %d VPN tickets of %d, want at least 3", vpn.Title, similar, len(rel.Tickets))
		}
	})
}

// TestHistoryDeterministic checks the same moment gives the same history,
// and every story is over before it.
func TestHistoryDeterministic(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	for _, clock := range []string{"2026-11-22 00:05", "2026-12-07 14:30"} {
		now, err := time.ParseInLocation("2006-01-02 15:04", clock, loc)
		if err != nil {
			t.Fatal(err)
		}
		a, b := history(now, loc), history(now, loc)
		if len(a) != len(b) || len(a) < historyTickets*9/10 {
			t.Fatalf("%s: got %d and %d tickets, want the same, at least %d", clock, len(a), len(b), historyTickets*9/10)
		}
		for i := range a {
			if a[i].title != b[i].title || a[i].day != b[i].day || a[i].at != b[i].at || len(a[i].steps) != len(b[i].steps) {
				t.Fatalf("%s: ticket %d differs: %q day %d and %q day %d", clock, i, a[i].title, a[i].day, b[i].title, b[i].day)
			}
		}
		for _, act := range schedule(a, now, loc) {
			if !act.at.Before(now) || act.at.Before(now.AddDate(0, 0, -historyDays-1)) {
				t.Errorf("%s: ticket %q step %d at %v, want in the %d days before", clock, a[act.ticket].title, act.step, act.at, historyDays)
			}
		}
	}
}

// listAll lists every ticket, page by page.
func listAll(t *testing.T, s *ticket.Service) []ticket.Ticket {
	t.Helper()
	var out []ticket.Ticket
	in := ticket.ListInput{Limit: ticket.MaxPageSize}
	for {
		p, err := s.List(context.Background(), identity.System, in)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Tickets...)
		if p.Next == "" {
			return out
		}
		in.Cursor = p.Next
	}
}
