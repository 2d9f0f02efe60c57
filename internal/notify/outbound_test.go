package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"helpdesk/internal/desktest"
	"helpdesk/internal/i18n"
	"helpdesk/internal/identity"
	"helpdesk/internal/job"
	"helpdesk/internal/mailin"
	"helpdesk/internal/notify"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// capture is an SMTP server that keeps what it receives; recipients
// starting with "bounce" are refused with 550, and those in tempFail with
// 451 as many times as it says.
type capture struct {
	mu       sync.Mutex
	msgs     []captured
	addr     string
	tempFail map[string]int
}

type captured struct {
	From string
	To   []string
	Data []byte
}

func (c *capture) NewSession(*smtp.Conn) (smtp.Session, error) { return &capSession{c: c}, nil }

type capSession struct {
	c    *capture
	from string
	to   []string
}

func (s *capSession) Reset()                                      { s.from, s.to = "", nil }
func (s *capSession) Logout() error                               { return nil }
func (s *capSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *capSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "bounce") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	if s.c.tempFail[to] > 0 {
		s.c.tempFail[to]--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.to = append(s.to, to)
	return nil
}
func (s *capSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.c.mu.Lock()
	s.c.msgs = append(s.c.msgs, captured{From: s.from, To: s.to, Data: b})
	s.c.mu.Unlock()
	return nil
}

func startCapture(t testing.TB) *capture {
	t.Helper()
	c := &capture{tempFail: map[string]int{}}
	srv := smtp.NewServer(c)
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return c
}

// to returns the captured messages to an address, parsed.
func (c *capture) to(t testing.TB, addr string) []*mail.Reader {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*mail.Reader
	for _, m := range c.msgs {
		if len(m.To) == 1 && m.To[0] == addr {
			r, err := mail.CreateReader(bytes.NewReader(m.Data))
			if err != nil {
				t.Fatalf("captured mail does not parse: %v", err)
			}
			out = append(out, r)
		}
	}
	return out
}

func (c *capture) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.msgs)
}

// texts serves the catalog's templates, as the app does.
type texts struct{}

func (texts) Default(key, lang string) (notify.Template, bool) {
	l := i18n.Lang(lang)
	b := "notify.tpl." + key + "."
	if !i18n.Has(l, b+"subject") {
		return notify.Template{}, false
	}
	return notify.Template{Subject: i18n.T(l, b+"subject", nil), Text: i18n.T(l, b+"text", nil), HTML: i18n.T(l, b+"html", nil)}, true
}
func (texts) Label(lang, key string) string { return i18n.T(i18n.Lang(lang), key, nil) }

// outDesk is a desk whose changes go out by mail and webhook, with a real
// job runner.
type outDesk struct {
	d       *desktest.Desk
	db      *store.DB
	intake  *mailin.Service
	disp    *notify.Dispatcher
	smtp    *capture
	runner  *job.Runner
	hooks   *notify.Webhooks
	handles map[string]job.Handler
}

func newOutDesk(t *testing.T, db *store.DB, configure ...func(*outDesk)) *outDesk {
	return newOutDeskB(t, db, configure...)
}

// newOutDeskB builds the desk; configure may change the handlers before
// the runner starts.
func newOutDeskB(t testing.TB, db *store.DB, configure ...func(*outDesk)) *outDesk {
	t.Helper()
	d := desktest.New(t, db, desktest.Options{Announcer: notify.Announcer{}})
	out := db.Outbound()
	cap := startCapture(t)
	rend := notify.NewRenderer(out, texts{})
	disp := notify.NewDispatcher(notify.DispatchDeps{Store: out, Tickets: db.Tickets(), Directory: db.Identity(), Domain: "desk.example", Email: true})
	mailer := notify.NewMailer(notify.MailerDeps{Store: out, Renderer: rend, Sender: notify.SMTPConfig{Addr: cap.addr, TLS: "none"},
		From: "Helpdesk 技术支持 <support@desk.example>", Origin: "desk-test"})
	hooks := notify.NewWebhooks(out, nil)
	o := &outDesk{d: d, db: db, disp: disp, smtp: cap, hooks: hooks}
	o.handles = map[string]job.Handler{notify.KindEvent: disp.Fanout, notify.KindEmail: mailer.Deliver, notify.KindWebhook: hooks.Deliver}
	o.intake = mailin.NewService(mailin.Deps{Store: db.Mail(), Tickets: d.Tickets, Users: mailin.NewUsers(d.Identity, db.Identity()), Origin: "desk-test"})
	for _, c := range configure {
		c(o)
	}
	o.runner = job.NewRunner(job.Deps{Store: db.Jobs(), Handlers: o.handles, Poll: 20 * time.Millisecond, Concurrency: 4,
		Backoff: func(int) time.Duration { return 30 * time.Millisecond }, Log: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelError}))})
	ctx, cancel := context.WithCancel(context.Background())
	if err := o.runner.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		o.runner.Stop(context.Background())
	})
	return o
}

func wait(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func header(r *mail.Reader, k string) string { return r.Header.Get(k) }

func bodies(t testing.TB, r *mail.Reader) (text, html string) {
	t.Helper()
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		if h, ok := p.Header.(*mail.InlineHeader); ok {
			ct, _, _ := h.ContentType()
			if ct == "text/html" {
				html = string(b)
			} else {
				text = string(b)
			}
		}
	}
}

func TestOutboundMail(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := newOutDesk(t, db)
		bob, err := o.d.Identity.CreateUser(ctx, identity.System, identity.NewUser{Login: "bob", Password: desktest.Password, Name: "Bob Smith",
			Email: "bob@globex.example", Role: identity.RoleCustomer, Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		var number, receivedID string
		t.Run("email in, ticket received out, in English, threaded to the customer's mail", func(t *testing.T) {
			raw := "From: Bob Smith <bob@globex.example>\r\nTo: support@desk.example\r\nSubject: Printer offline\r\n" +
				"Message-ID: <bob-1@globex.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe printer says offline.\r\n"
			out, err := o.intake.Ingest(ctx, mailin.DefaultMailbox(), []byte(raw))
			if err != nil || out.Status != mailin.StatusCreated {
				t.Fatalf("ingest: %+v %v", out, err)
			}
			number = out.TicketNumber
			wait(t, "ticket received mail", func() bool { return len(o.smtp.to(t, "bob@globex.example")) == 1 })
			m := o.smtp.to(t, "bob@globex.example")[0]
			subj, _ := m.Header.Subject()
			if !strings.HasPrefix(subj, "["+number+"] ") || !strings.Contains(subj, "We received your request") {
				t.Errorf("subject = %q", subj)
			}
			if header(m, "In-Reply-To") != "<bob-1@globex.example>" || !strings.Contains(header(m, "References"), "<bob-1@globex.example>") {
				t.Errorf("threading: In-Reply-To %q References %q", header(m, "In-Reply-To"), header(m, "References"))
			}
			if header(m, "Auto-Submitted") != "auto-generated" || header(m, "X-Helpdesk-Origin") != "desk-test" {
				t.Errorf("loop headers: %q %q", header(m, "Auto-Submitted"), header(m, "X-Helpdesk-Origin"))
			}
			receivedID, _ = m.Header.MessageID()
			text, html := bodies(t, m)
			if !strings.Contains(text, number) || !strings.Contains(html, number) || !strings.Contains(html, "<p>") {
				t.Errorf("bodies: text %q html %q", text, html)
			}
		})
		t.Run("agent reply by mail; the customer's answer threads back", func(t *testing.T) {
			if _, err := o.d.Tickets.AddMessage(ctx, o.d.Actors["admin"], number, ticket.MessageInput{Body: "Please restart it & tell us <what> happens."}); err != nil {
				t.Fatal(err)
			}
			wait(t, "agent reply mail", func() bool { return len(o.smtp.to(t, "bob@globex.example")) == 2 })
			m := o.smtp.to(t, "bob@globex.example")[1]
			text, html := bodies(t, m)
			if !strings.Contains(text, "Please restart it & tell us <what> happens.") || !strings.Contains(html, "&lt;what&gt;") {
				t.Errorf("reply body: text %q html %q", text, html)
			}
			replyID, _ := m.Header.MessageID()
			raw := "From: bob@globex.example\r\nTo: support@desk.example\r\nSubject: Re: something\r\nMessage-ID: <bob-2@globex.example>\r\n" +
				"In-Reply-To: <" + replyID + ">\r\nReferences: <" + receivedID + "> <" + replyID + ">\r\n\r\nRestarted, works now.\r\n\r\n> Please restart it\r\n"
			out, err := o.intake.Ingest(ctx, mailin.DefaultMailbox(), []byte(raw))
			if err != nil || out.Status != mailin.StatusAppended || out.TicketNumber != number {
				t.Errorf("customer's answer: %+v %v", out, err)
			}
		})
		t.Run("Chinese customer gets Chinese mail", func(t *testing.T) {
			tk := o.d.NewTicket(t, "cust1", "打印机无法连接")
			wait(t, "zh mail", func() bool { return len(o.smtp.to(t, "zhang.san@example.com")) == 1 })
			m := o.smtp.to(t, "zhang.san@example.com")[0]
			subj, _ := m.Header.Subject()
			if subj != "["+tk.Number+"] 已收到您的工单：打印机无法连接" {
				t.Errorf("subject = %q", subj)
			}
			from, _ := m.Header.AddressList("From")
			if len(from) != 1 || from[0].Name != "Helpdesk 技术支持" {
				t.Errorf("from = %v", from)
			}
		})
		t.Run("a permanently failing address is recorded and not mailed again", func(t *testing.T) {
			u, err := o.d.Identity.CreateUser(ctx, identity.System, identity.NewUser{Login: "gone", Password: desktest.Password,
				Email: "bounce-gone@x.example", Role: identity.RoleCustomer})
			if err != nil {
				t.Fatal(err)
			}
			tk, err := o.d.Tickets.Create(ctx, identity.ActorOf(u), ticket.CreateInput{Title: "t1", Description: "d", Category: "software"})
			if err != nil {
				t.Fatal(err)
			}
			wait(t, "failure recorded", func() bool {
				_, failed, _ := db.Outbound().EmailFailure(ctx, u.ID)
				return failed
			})
			jobsBefore := countJobs(t, db, notify.KindEmail)
			if _, err := o.d.Tickets.AddMessage(ctx, o.d.Actors["admin"], tk.Number, ticket.MessageInput{Body: "hello?"}); err != nil {
				t.Fatal(err)
			}
			wait(t, "fan-out", func() bool { return jobDone(t, db, notify.EventKey(tk.ID, 2)) })
			if n := countJobs(t, db, notify.KindEmail); n != jobsBefore {
				t.Errorf("email jobs %d → %d: the failing address was mailed again", jobsBefore, n)
			}
		})
		t.Run("a repeated fan-out sends nothing twice", func(t *testing.T) {
			tk, _ := o.d.Tickets.Get(ctx, identity.System, number)
			j, err := db.Jobs().ByKey(ctx, notify.EventKey(tk.ID, 1))
			if err != nil {
				t.Fatal(err)
			}
			mailKey := "mail:" + notify.EventKey(tk.ID, 1) + ":" + notify.TplReceived + ":" + fmt.Sprint(bob.ID)
			before, err := db.Jobs().ByKey(ctx, mailKey)
			if err != nil || before.State != job.Done {
				t.Fatalf("receipt job %s: %+v %v", mailKey, before, err)
			}
			sent := len(o.smtp.to(t, "bob@globex.example"))
			if err := o.disp.Fanout(ctx, j); err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond) // give the runner the chance to send what it (wrongly) would
			after, _ := db.Jobs().ByKey(ctx, mailKey)
			if after.State != job.Done || after.Attempts != before.Attempts || !after.UpdatedAt.Equal(before.UpdatedAt) {
				t.Errorf("receipt job touched by the replay: %+v → %+v", before, after)
			}
			if n := len(o.smtp.to(t, "bob@globex.example")); n != sent {
				t.Errorf("mails to bob %d → %d after replaying a fan-out", sent, n)
			}
		})
	})
}

func countJobs(t testing.TB, db *store.DB, kind string) int {
	t.Helper()
	st, err := db.Jobs().Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if kind == "" {
		return int(st.Scheduled + st.Running + st.Done + st.Dead + st.Canceled)
	}
	n, err := db.Outbound().CountJobs(context.Background(), kind)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func jobDone(t testing.TB, db *store.DB, key string) bool {
	j, err := db.Jobs().ByKey(context.Background(), key)
	return err == nil && j.State == job.Done
}

func TestWebhooks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := newOutDesk(t, db)
		var got []struct {
			sig, event string
			body       []byte
		}
		var mu sync.Mutex
		var fail atomic.Int32
		fail.Store(2) // the first two calls fail: retried with backoff
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			if fail.Add(-1) >= 0 {
				w.WriteHeader(http.StatusBadGateway)
				return
			}
			mu.Lock()
			got = append(got, struct {
				sig, event string
				body       []byte
			}{r.Header.Get("X-Helpdesk-Signature"), r.Header.Get("X-Helpdesk-Event"), b})
			mu.Unlock()
		}))
		defer srv.Close()
		secret := "s3cret-signing-key-123"
		sub, err := o.hooks.Save(ctx, identity.System, notify.Subscription{Name: "crm", URL: srv.URL, Secret: secret, Active: true,
			Events: []string{notify.EventTicketCreated, notify.EventMessageAdded, notify.EventStatusChanged}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.hooks.Save(ctx, identity.System, notify.Subscription{Name: "bad", URL: "ftp://x", Secret: "short", Events: []string{"nope"}}); err == nil {
			t.Error("invalid subscription accepted")
		}
		tk := o.d.NewTicket(t, "cust1", "网络中断")
		o.d.Tickets.AddMessage(ctx, o.d.Actors["admin"], tk.Number, ticket.MessageInput{Body: "正在处理"})
		o.d.Tickets.AddMessage(ctx, o.d.Actors["admin"], tk.Number, ticket.MessageInput{Body: "内部备注", Internal: true})
		count := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }
		wait(t, "two webhook deliveries", func() bool { return count() == 2 })
		mu.Lock()
		events := map[string]notify.Payload{}
		for _, g := range got {
			if g.sig != notify.Sign(secret, g.body) {
				t.Errorf("signature %q does not verify", g.sig)
			}
			var p notify.Payload
			if err := json.Unmarshal(g.body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Type != g.event || p.Schema != 1 || p.Ticket.Number != tk.Number {
				t.Errorf("payload = %+v", p)
			}
			events[p.Type] = p
		}
		mu.Unlock()
		if _, ok := events[notify.EventTicketCreated]; !ok {
			t.Errorf("no ticket.created among %v", events)
		}
		if m := events[notify.EventMessageAdded].Message; m == nil || m.Body != "正在处理" {
			t.Errorf("message.added = %+v", m)
		}
		// The receiver counts a delivery before the handler records it.
		var log []notify.Delivery
		wait(t, "both deliveries recorded", func() bool {
			log, err = o.hooks.Log(ctx, identity.System, sub.ID, 0, 50)
			return err == nil && len(log) == 2 && log[0].Status == notify.DeliveryDelivered && log[1].Status == notify.DeliveryDelivered
		})
		if err != nil || len(log) != 2 {
			t.Fatalf("delivery log = %+v, %v (the internal note is no message.added)", log, err)
		}
		attempts := 0
		for _, d := range log {
			if d.Status != notify.DeliveryDelivered {
				t.Errorf("delivery %+v", d)
			}
			attempts += d.Attempts
		}
		if attempts != 4 {
			t.Errorf("attempts = %d, want 4 (two failures retried)", attempts)
		}
		if err := o.hooks.Replay(ctx, identity.System, sub.ID, log[0].ID); err != nil {
			t.Fatal(err)
		}
		wait(t, "replayed delivery", func() bool { return count() == 3 })
		_ = fmt.Sprint
	})
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
