package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/kb"
	"helpdesk/internal/mailin"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

// TestDeflected: the reports' deflection count keeps to its period and,
// when asked, to one category.
func TestDeflected(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := desktest.New(t, db, desktest.Options{})
		k := db.KB()
		at := time.Date(2026, 11, 10, 3, 0, 0, 0, time.UTC)
		art, err := k.CreateArticle(ctx, kb.Article{Title: "打印机卡纸", Body: "取出纸张", Audience: kb.AudiencePublic, Lang: "zh-CN",
			State: kb.StatePublished, Version: 1, AuthorID: d.Actors["admin"].UserID, CreatedAt: at, UpdatedAt: at}, kb.Review{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		hw, err := k.CategoryID(ctx, "hardware")
		if err != nil {
			t.Fatal(err)
		}
		for i, cat := range []int64{hw, hw, 0} {
			if _, err := k.AddDeflection(ctx, kb.Deflection{UserID: d.Actors["cust1"].UserID, ArticleID: art.ID, CategoryID: cat,
				CreatedAt: at.Add(time.Duration(i) * 24 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name     string
			from, to time.Time
			cat      int64
			want     int64
		}{
			{"all", at, at.AddDate(0, 0, 7), 0, 3},
			{"hardware only", at, at.AddDate(0, 0, 7), hw, 2},
			{"first day", at, at.Add(24 * time.Hour), 0, 1},
			{"before", at.AddDate(0, 0, -7), at, 0, 0},
		} {
			got, err := k.Deflected(ctx, tc.from, tc.to, tc.cat)
			if err != nil || got != tc.want {
				t.Errorf("%s: got %d, %v; want %d", tc.name, got, err, tc.want)
			}
		}
	})
}

// TestFailingMailboxes: a mailbox is failing while a recent message of it
// failed or went dead; processed and old failures do not count, nor
// disabled mailboxes.
func TestFailingMailboxes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m := db.Mail()
		box := func(name string, enabled bool) mailin.Mailbox {
			b, err := m.SaveMailbox(ctx, mailin.Mailbox{Name: name, Address: name + "@desk.example", Mode: mailin.ModeHTTP, Enabled: enabled})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		ok, bad, dead, off := box("ok", true), box("bad", true), box("dead", true), box("off", false)
		now := time.Now()
		msg := 0
		log := func(b mailin.Mailbox, fail, isDead bool) {
			msg++
			id, _, err := m.Claim(ctx, mailin.LogEntry{MailboxID: b.ID, MessageID: "<m" + string(rune('a'+msg)) + "@x>",
				Status: mailin.StatusProcessing, ReceivedAt: now}, nil, now.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if fail {
				if err := m.Failed(ctx, id, "parse", "broken", isDead); err != nil {
					t.Fatal(err)
				}
			} else if err := m.Settle(ctx, id, mailin.Outcome{Status: mailin.StatusIgnored}, ""); err != nil {
				t.Fatal(err)
			}
		}
		log(ok, false, false)
		log(bad, true, false)
		log(dead, true, true)
		log(off, true, true)
		got, err := m.FailingMailboxes(ctx, now.Add(-time.Minute))
		if want := []string{"bad", "dead"}; err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("failing: got %v, %v; want %v", got, err, want)
		}
		if got, _ := m.FailingMailboxes(ctx, time.Now().Add(time.Minute)); len(got) != 0 {
			t.Errorf("failures older than the window still count: %v", got)
		}
	})
}
