package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/search"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// TestSearchWindows checks the PostgreSQL ticket search across id
// windows: tickets whose ids lie buckets apart (the identity is moved
// between imports) are all found, newest first, for an admin and for an
// agent of one group, and a smaller limit gives the newest ones.
func TestSearchWindows(t *testing.T) {
	ctx := context.Background()
	db, raw, _ := postgresDesk(t)
	d := desktest.New(t, db, desktest.Options{})
	cats, err := db.Tickets().Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var hard, soft ticket.Category
	for _, c := range cats {
		switch c.Key {
		case "hardware":
			hard = c
		case "software":
			soft = c
		}
	}
	cu := d.Users["cust1"]
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var wantAll, wantHard []int64
	for k, start := range []int64{0, 3 * 8192, 7 * 8192, 20*8192 + 5, 70 * 8192} {
		if start > 0 {
			if _, err := raw.ExecContext(ctx, fmt.Sprintf(`ALTER TABLE tickets ALTER COLUMN id RESTART WITH %d`, start)); err != nil {
				t.Fatal(err)
			}
		}
		var recs []ticket.NewRecord
		for i, c := range []ticket.Category{hard, soft, hard} {
			recs = append(recs, ticket.NewRecord{Day: at.Format("20060102"), Ticket: ticket.Ticket{
				Title: fmt.Sprintf("打印机卡纸 %d-%d", k, i), Description: "纸张卡在进纸口", CategoryID: c.ID, GroupID: c.GroupID,
				Priority: ticket.P3, Status: ticket.Statuses[0], Channel: ticket.ChannelWeb, RequesterID: cu.ID, OrgID: cu.OrgID,
				Version: 1, CreatedAt: at, UpdatedAt: at}})
		}
		got, err := db.Tickets().ImportTickets(ctx, recs)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range got {
			wantAll = append(wantAll, tk.ID)
			if tk.GroupID == hard.GroupID {
				wantHard = append(wantHard, tk.ID)
			}
		}
	}
	slices.Reverse(wantAll)
	slices.Reverse(wantHard)
	q, err := search.Parse("卡纸")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		scope ticket.Scope
		limit int
		want  []int64
	}{
		{"admin", ticket.Scope{All: true}, search.CandidateCap, wantAll},
		{"admin newest 4", ticket.Scope{All: true}, 4, wantAll[:4]},
		{"agent of hardware", ticket.ScopeOf(d.Actors["agent3"]), search.CandidateCap, wantHard},
		{"agent newest 3", ticket.ScopeOf(d.Actors["agent3"]), 3, wantHard[:3]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cands, err := db.Search().SearchTickets(ctx, search.Plan{Query: q, Scope: tc.scope, Limit: tc.limit})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, c := range cands {
				got = append(got, c.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// postgresDesk opens a migrated store on a new PostgreSQL test database,
// with a plain connection to it for what the store does not expose.
func postgresDesk(t *testing.T) (db *store.DB, raw *sql.DB, dsn string) {
	t.Helper()
	ctx := context.Background()
	dsn = storetest.PostgresURL(t)
	db, err := store.Open(ctx, dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if raw, err = sql.Open("pgx", dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return db, raw, dsn
}
