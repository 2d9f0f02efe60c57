package mailin_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"helpdesk/internal/identity"
	"helpdesk/internal/mailin"
	"helpdesk/internal/store/storetest"
)

// countingIntake counts ingested messages and can stop the poller after n.
type countingIntake struct {
	svc *mailin.Service
	mu  sync.Mutex
	n   int
	// stopAfter cancels stop once n messages were ingested.
	stopAfter int
	stop      context.CancelFunc
	outcomes  map[mailin.Status]int
}

func (c *countingIntake) Ingest(ctx context.Context, mb mailin.Mailbox, raw []byte) (mailin.Outcome, error) {
	out, err := c.svc.Ingest(ctx, mb, raw)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		c.n++
		if c.outcomes == nil {
			c.outcomes = map[mailin.Status]int{}
		}
		c.outcomes[out.Status]++
		if c.stopAfter > 0 && c.n == c.stopAfter && c.stop != nil {
			c.stop()
		}
	}
	return out, err
}

func (c *countingIntake) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func numbered(i int) []byte {
	return mail(fmt.Sprintf("Customer %d <cust%03d@client.example>", i, i), fmt.Sprintf("IMAP 工单 %d", i),
		fmt.Sprintf("第 %d 封邮件 message %d", i, i), fmt.Sprintf("Message-ID: <imap-%d@client.example>", i))
}

func TestIMAPInterop(t *testing.T) {
	dv := startDovecot(t)
	ctx := context.Background()
	db := storetest.SQLite(t)
	r := newRig(t, db, mailin.RateLimit{Count: 1000, Window: time.Hour})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	deliverer := dv.client(t)
	mb, err := r.svc.SaveMailbox(ctx, identity.System, mailin.Mailbox{Name: "dovecot", Address: "support@desk.example",
		Mode: mailin.ModeIMAP, IMAP: mailin.IMAPConfig{Host: "127.0.0.1", Port: dv.Port, TLS: mailin.TLSNone,
			Username: dv.User, Password: dv.Pass, Folder: "INBOX"}, Processed: mailin.ActionFlag, CreateUnknown: true, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	const total = 30
	for i := 1; i <= total; i++ {
		dv.deliver(t, deliverer, "INBOX", numbered(i))
	}

	t.Run("stop mid-way, restart: no duplicates, no gaps", func(t *testing.T) {
		runCtx, cancel := context.WithCancel(ctx)
		in := &countingIntake{svc: r.svc, stopAfter: 12, stop: cancel}
		p := mailin.NewPoller(mailin.PollerDeps{Intake: in, Store: db.Mail(), Log: quiet, Batch: 5})
		done := make(chan struct{})
		go func() { p.Run(runCtx, mb.ID); close(done) }()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			cancel()
			t.Fatal("poller did not stop")
		}
		first := in.count()
		if first < 12 || first >= total {
			t.Fatalf("first run ingested %d, want 12 and then stop", first)
		}
		got, _ := db.Mail().Mailbox(ctx, mb.ID)
		if got.LastUID != uint32(first) || got.UIDValidity == 0 {
			t.Errorf("position after stop = %d/%d, want last UID %d", got.UIDValidity, got.LastUID, first)
		}
		// A new poller (a restarted desk) continues from the stored position.
		in2 := &countingIntake{svc: r.svc}
		p2 := mailin.NewPoller(mailin.PollerDeps{Intake: in2, Store: db.Mail(), Log: quiet, Batch: 5})
		n, err := p2.Sync(ctx, mb.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n != total-first || in2.outcomes[mailin.StatusCreated] != total-first {
			t.Errorf("after restart: %d fetched, outcomes %v; want %d created", n, in2.outcomes, total-first)
		}
		log, _ := r.svc.Log(ctx, identity.System, mb.ID, 0, nil, 200)
		created := map[string]bool{}
		for _, e := range log {
			if e.Status != mailin.StatusCreated {
				t.Errorf("log entry %+v, want only created", e)
			}
			created[e.MessageID] = true
		}
		for i := 1; i <= total; i++ {
			if !created[fmt.Sprintf("imap-%d@client.example", i)] {
				t.Errorf("message %d never became a ticket", i)
			}
		}
		if msgs, unseen := dv.status(t, deliverer, "INBOX"); msgs != total || unseen != 0 {
			t.Errorf("INBOX %d messages, %d unseen; want all %d flagged seen", msgs, unseen, total)
		}
		if n, _ := p2.Sync(ctx, mb.ID); n != 0 {
			t.Errorf("a third sync fetched %d, want 0", n)
		}
	})

	t.Run("position lost (crash before it was stored): refetched mail is a duplicate", func(t *testing.T) {
		got, _ := db.Mail().Mailbox(ctx, mb.ID)
		db.Mail().SetPosition(ctx, mb.ID, got.UIDValidity, got.LastUID-3)
		in := &countingIntake{svc: r.svc}
		n, err := mailin.NewPoller(mailin.PollerDeps{Intake: in, Store: db.Mail(), Log: quiet}).Sync(ctx, mb.ID)
		if err != nil || n != 3 || in.outcomes[mailin.StatusIgnored] != 3 {
			t.Errorf("refetch: n=%d err=%v outcomes=%v, want 3 ignored duplicates", n, err, in.outcomes)
		}
	})

	t.Run("IDLE picks up new mail as it arrives", func(t *testing.T) {
		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		in := &countingIntake{svc: r.svc}
		p := mailin.NewPoller(mailin.PollerDeps{Intake: in, Store: db.Mail(), Log: quiet})
		done := make(chan struct{})
		go func() { p.Run(runCtx, mb.ID); close(done) }()
		time.Sleep(300 * time.Millisecond) // let it reach IDLE
		for i := total + 1; i <= total+3; i++ {
			dv.deliver(t, deliverer, "INBOX", numbered(i))
		}
		waitFor(t, 20*time.Second, func() bool { return in.count() == 3 })
		cancel()
		<-done
	})

	t.Run("polling without IDLE, move processed mail, STARTTLS", func(t *testing.T) {
		mb2, err := r.svc.SaveMailbox(ctx, identity.System, mailin.Mailbox{Name: "moving", Address: "help@desk.example",
			Mode: mailin.ModeIMAP, IMAP: mailin.IMAPConfig{Host: "127.0.0.1", Port: dv.Port, TLS: mailin.TLSStart,
				Username: dv.User, Password: dv.Pass, Folder: "Incoming"}, Processed: mailin.ActionMove, MoveTo: "Processed",
			CreateUnknown: true, Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		deliverer.Create("Incoming", nil).Wait()
		for i := 100; i < 104; i++ {
			dv.deliver(t, deliverer, "Incoming", numbered(i))
		}
		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		in := &countingIntake{svc: r.svc}
		p := mailin.NewPoller(mailin.PollerDeps{Intake: in, Store: db.Mail(), Log: quiet, NoIdle: true, Poll: 200 * time.Millisecond,
			TLS: &tls.Config{RootCAs: dv.Roots}})
		done := make(chan struct{})
		go func() { p.Run(runCtx, mb2.ID); close(done) }()
		waitFor(t, 20*time.Second, func() bool { return in.count() == 4 })
		dv.deliver(t, deliverer, "Incoming", numbered(104))
		waitFor(t, 20*time.Second, func() bool { return in.count() == 5 })
		cancel()
		<-done
		if n, _ := dv.status(t, deliverer, "Incoming"); n != 0 {
			t.Errorf("Incoming still has %d messages", n)
		}
		if n, _ := dv.status(t, deliverer, "Processed"); n != 5 {
			t.Errorf("Processed has %d messages, want 5", n)
		}
	})

	t.Run("implicit TLS", func(t *testing.T) {
		mb3, err := r.svc.SaveMailbox(ctx, identity.System, mailin.Mailbox{Name: "tls", Mode: mailin.ModeIMAP,
			IMAP: mailin.IMAPConfig{Host: "127.0.0.1", Port: dv.TLSPort, TLS: mailin.TLSImplicit, Username: dv.User,
				Password: dv.Pass, Folder: "TLSBox"}, CreateUnknown: true, Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		deliverer.Create("TLSBox", nil).Wait()
		dv.deliver(t, deliverer, "TLSBox", numbered(200))
		in := &countingIntake{svc: r.svc}
		n, err := mailin.NewPoller(mailin.PollerDeps{Intake: in, Store: db.Mail(), Log: quiet,
			TLS: &tls.Config{RootCAs: dv.Roots}}).Sync(ctx, mb3.ID)
		if err != nil || n != 1 {
			t.Fatalf("sync over TLS: n=%d err=%v", n, err)
		}
		// An untrusted certificate is refused.
		_, err = mailin.NewPoller(mailin.PollerDeps{Intake: in, Store: db.Mail(), Log: quiet}).Sync(ctx, mb3.ID)
		if err == nil {
			t.Error("a self-signed certificate was accepted without being trusted")
		}
	})
}

// waitFor polls cond until it holds or the deadline passes (a bound on
// waiting for a real server, not a timing assertion).
func waitFor(t testing.TB, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func identityAdmin() identity.Actor { return identity.System }

// imapBox is a plain-IMAP mailbox on the test's Dovecot that flags mail.
func imapBox(dv *dovecot, name string) mailin.Mailbox {
	return mailin.Mailbox{Name: name, Mode: mailin.ModeIMAP, IMAP: mailin.IMAPConfig{Host: "127.0.0.1", Port: dv.Port,
		TLS: mailin.TLSNone, Username: dv.User, Password: dv.Pass, Folder: "INBOX"}, Processed: mailin.ActionFlag,
		CreateUnknown: true, Enabled: true}
}
