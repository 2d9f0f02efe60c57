package demo

import (
	"context"
	"errors"
	"image/png"
	"strings"
	"testing"
	"time"
	"unicode"

	"helpdesk/internal/identity"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

func TestSeed(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			t.Fatal(err)
		}
		d := Deps{DB: db, Location: loc, DataDir: t.TempDir()}
		before := time.Now()
		res, err := Seed(ctx, d)
		if err != nil {
			t.Fatalf("Seed: %v", err)
		}
		after := time.Now()
		t.Logf("seeded in %v", after.Sub(before))
		if !res.Seeded {
			t.Fatalf("got Seeded false on an empty desk, want true")
		}
		ids, tickets, err := services(d, time.Now)
		if err != nil {
			t.Fatal(err)
		}

		all := list(t, tickets, identity.System)
		if got, want := len(all), len(scripts()); got != want {
			t.Fatalf("got %d tickets, want %d", got, want)
		}
		seen := map[string]bool{}
		var zh, en bool
		for _, tk := range all {
			for _, v := range []string{string(tk.Status), tk.CategoryKey, string(tk.Priority), string(tk.Channel)} {
				seen[v] = true
			}
			zh = zh || strings.IndexFunc(tk.Title, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
			en = en || strings.IndexFunc(tk.Title, func(r rune) bool { return r > unicode.MaxASCII }) < 0
			if tk.UpdatedAt.After(before) || tk.CreatedAt.Before(before.AddDate(0, 0, -16)) {
				t.Errorf("%s: created %v, updated %v, want within the 16 days before %v", tk.Number, tk.CreatedAt, tk.UpdatedAt, before)
			}
		}
		var want []string
		for _, s := range ticket.Statuses {
			want = append(want, string(s))
		}
		want = append(want, "software", "hardware", "network", "consultation", "complaint",
			"P1", "P2", "P3", "P4", "web", "email", "phone")
		for _, w := range want {
			if !seen[w] {
				t.Errorf("got no ticket with %q, want at least one", w)
			}
		}
		if !zh || !en {
			t.Errorf("got Chinese titles %v, English titles %v, want both", zh, en)
		}

		types := map[string]bool{}
		for _, tk := range all {
			atts, err := tickets.Attachments(ctx, identity.System, tk.Number)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range atts {
				types[a.ContentType] = true
				if a.ContentType != "image/png" {
					continue
				}
				_, r, err := tickets.OpenAttachment(ctx, identity.System, tk.Number, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := png.Decode(r); err != nil {
					t.Errorf("%s: %s does not decode: %v", tk.Number, a.Filename, err)
				}
				r.Close()
			}
		}
		if !types["image/png"] || !types["text/plain; charset=utf-8"] {
			t.Errorf("got attachment types %v, want a PNG and a log", types)
		}

		roles := map[string]bool{}
		for _, l := range res.Logins {
			_, u, err := ids.Login(ctx, l.Login, l.Password)
			if err != nil {
				t.Errorf("login %s: %v", l.Login, err)
				continue
			}
			if string(u.Role) != l.Role {
				t.Errorf("login %s: got role %s, want %s", l.Login, u.Role, l.Role)
			}
			roles[l.Role] = true
		}
		for _, r := range identity.Roles {
			if !roles[string(r)] {
				t.Errorf("got no login with role %s, want one", r)
			}
		}

		// The organization's IT contact sees a colleague's tickets.
		liming, err := ids.UserByLogin(ctx, identity.System, "liming")
		if err != nil {
			t.Fatal(err)
		}
		var colleague bool
		for _, tk := range list(t, tickets, identity.ActorOf(liming)) {
			colleague = colleague || tk.Requester == "zhangsan"
		}
		if !colleague {
			t.Errorf("liming sees none of zhangsan's tickets, want the organization's")
		}

		again, err := Seed(ctx, d)
		if err != nil {
			t.Fatalf("second Seed: %v", err)
		}
		if again.Seeded || len(again.Logins) != len(res.Logins) {
			t.Errorf("second Seed: got Seeded %v with %d logins, want false with %d", again.Seeded, len(again.Logins), len(res.Logins))
		}
		if got := len(list(t, tickets, identity.System)); got != len(all) {
			t.Errorf("after second Seed: got %d tickets, want %d", got, len(all))
		}
	})
}

func TestSeedRefusesADeskWithUsers(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	d := Deps{DB: db, DataDir: t.TempDir()}
	ids, _, err := services(d, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ids.CreateUser(ctx, identity.System, identity.NewUser{Login: "admin", Password: "a real one",
		Role: identity.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	res, err := Seed(ctx, d)
	if !errors.Is(err, ErrNotEmpty) || res.Seeded || len(res.Logins) != 0 {
		t.Errorf("got %+v, %v; want ErrNotEmpty and no logins", res, err)
	}
}

func TestScheduleNeverInFuture(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	sc := scripts()
	for _, clock := range []string{"00:05", "08:00", "11:59", "23:59"} {
		t.Run(clock, func(t *testing.T) {
			now, err := time.ParseInLocation("2006-01-02 15:04", "2026-11-22 "+clock, loc)
			if err != nil {
				t.Fatal(err)
			}
			acts := schedule(sc, now, loc)
			last := map[int]time.Time{}
			for _, a := range acts {
				if !a.at.Before(now) {
					t.Errorf("ticket %q step %d at %v, want before %v", sc[a.ticket].title, a.step, a.at, now)
				}
				if a.at.Before(now.AddDate(0, 0, -16)) {
					t.Errorf("ticket %q step %d at %v, want within 16 days", sc[a.ticket].title, a.step, a.at)
				}
				if p, ok := last[a.ticket]; ok && !a.at.After(p) {
					t.Errorf("ticket %q step %d at %v, not after the step before (%v)", sc[a.ticket].title, a.step, a.at, p)
				}
				last[a.ticket] = a.at
			}
		})
	}
}

func list(t *testing.T, s *ticket.Service, by identity.Actor) []ticket.Ticket {
	t.Helper()
	p, err := s.List(context.Background(), by, ticket.ListInput{Limit: ticket.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	if p.Next != "" {
		t.Fatalf("got more than %d tickets, want one page", ticket.MaxPageSize)
	}
	return p.Tickets
}
