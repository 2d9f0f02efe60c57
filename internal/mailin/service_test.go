package mailin_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/identity"
	"helpdesk/internal/mailin"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// rig is a desk with mail intake on a real database.
type rig struct {
	d   *desktest.Desk
	db  *store.DB
	svc *mailin.Service
	mb  mailin.Mailbox
	// tickets wraps the ticket service, to inject failures.
	tickets *flakyTickets
}

type flakyTickets struct {
	*ticket.Service
	failCreates int
}

func (f *flakyTickets) CreateIdempotent(ctx context.Context, by identity.Actor, in ticket.CreateInput) (ticket.Ticket, bool, error) {
	if f.failCreates > 0 {
		f.failCreates--
		return ticket.Ticket{}, false, errors.New("database is locked (injected)")
	}
	return f.Service.CreateIdempotent(ctx, by, in)
}

func newRig(t testing.TB, db *store.DB, rate mailin.RateLimit) *rig {
	t.Helper()
	d := desktest.New(t, db, desktest.Options{})
	r := &rig{d: d, db: db, tickets: &flakyTickets{Service: d.Tickets}}
	r.svc = mailin.NewService(mailin.Deps{Store: db.Mail(), Tickets: r.tickets,
		Users: mailin.NewUsers(d.Identity, db.Identity()), Rate: rate, Origin: "desk-test"})
	mb, err := r.svc.SaveMailbox(context.Background(), identity.System, mailin.Mailbox{Name: "support", Address: "support@desk.example",
		Mode: mailin.ModeHTTP, CreateUnknown: true, Category: "software", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	r.mb = mb
	return r
}

// mail builds a raw message; extra headers come as "Name: value" lines.
func mail(from, subject, body string, extra ...string) []byte {
	h := "From: " + from + "\r\nTo: support@desk.example\r\nSubject: " + subject + "\r\nDate: Tue, 24 Nov 2026 10:00:00 +0800\r\n"
	hasID := false
	for _, x := range extra {
		if strings.HasPrefix(strings.ToLower(x), "message-id:") {
			hasID = true
		}
		h += x + "\r\n"
	}
	if !hasID {
		h += fmt.Sprintf("Message-ID: <%d.%s@client.example>\r\n", time.Now().UnixNano(), strings.ReplaceAll(subject, " ", ""))
	}
	return []byte(h + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n")
}

func (r *rig) ingest(t testing.TB, raw []byte) mailin.Outcome {
	t.Helper()
	out, err := r.svc.Ingest(context.Background(), r.mb, raw)
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	return out
}

func (r *rig) messages(t testing.TB, number string) []ticket.Message {
	t.Helper()
	ms, err := r.d.Tickets.Messages(context.Background(), identity.System, number)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestIntake(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRig(t, db, mailin.RateLimit{Count: 5, Window: time.Hour})

		gmail, _ := os.ReadFile("testdata/gmail_reply.eml")
		first := r.ingest(t, gmail)
		t.Run("new ticket from an unknown sender", func(t *testing.T) {
			if first.Status != mailin.StatusCreated || first.TicketNumber == "" {
				t.Fatalf("outcome = %+v", first)
			}
			tk, err := r.d.Tickets.Get(ctx, identity.System, first.TicketNumber)
			if err != nil {
				t.Fatal(err)
			}
			if tk.Channel != ticket.ChannelEmail || tk.Title != "Re: VPN drops every hour" ||
				tk.Description != "It happened again at 09:58, log attached." || tk.ContactEmail != "john.doe@gmail.example" {
				t.Errorf("ticket = %+v", tk)
			}
			u, err := r.d.Identity.UserByLogin(ctx, identity.System, tk.Requester)
			if err != nil || u.Role != identity.RoleCustomer || u.Email != "john.doe@gmail.example" || u.Name != "John Doe" {
				t.Errorf("requester = %+v, %v", u, err)
			}
			atts, _ := r.d.Tickets.Attachments(ctx, identity.System, first.TicketNumber)
			if len(atts) != 1 || atts[0].Filename != "vpn.log" {
				t.Errorf("attachments = %+v", atts)
			}
			f, err := db.Mail().Followers(ctx, tk.ID)
			if err != nil || len(f) != 1 || f[0].Email != "alice@partner.example" {
				t.Errorf("followers = %+v, %v (the desk's own address is not a follower)", f, err)
			}
		})
		t.Run("the same message again creates nothing", func(t *testing.T) {
			again := r.ingest(t, gmail)
			if again.Status != mailin.StatusIgnored || again.Reason != mailin.ReasonDuplicate || again.TicketNumber != first.TicketNumber {
				t.Errorf("outcome = %+v", again)
			}
			if n := len(r.messages(t, first.TicketNumber)); n != 0 {
				t.Errorf("replies = %d, want 0", n)
			}
		})
		number := first.TicketNumber
		t.Run("reply threads by In-Reply-To to our outbound Message-ID", func(t *testing.T) {
			tk, _ := r.d.Tickets.Get(ctx, identity.System, number)
			if err := db.Mail().RecordOutbound(ctx, "out.1."+number+"@desk.example", tk.ID); err != nil {
				t.Fatal(err)
			}
			out := r.ingest(t, mail("John Doe <john.doe@gmail.example>", "Re: something else", "Still broken.\r\n\r\n> quoted",
				"In-Reply-To: <out.1."+number+"@desk.example>"))
			if out.Status != mailin.StatusAppended || out.TicketNumber != number {
				t.Fatalf("outcome = %+v", out)
			}
			ms := r.messages(t, number)
			if len(ms) != 1 || ms[0].Body != "Still broken." {
				t.Errorf("messages = %+v", ms)
			}
		})
		t.Run("reply threads by the subject tag", func(t *testing.T) {
			out := r.ingest(t, mail("john.doe@gmail.example", "回复: ["+number+"] VPN", "第二次回复"))
			if out.Status != mailin.StatusAppended || out.TicketNumber != number {
				t.Errorf("outcome = %+v", out)
			}
		})
		t.Run("reply threads by plus address", func(t *testing.T) {
			raw := mail("john.doe@gmail.example", "no tag", "third reply", "Delivered-To: support+"+number+"@desk.example")
			if out := r.ingest(t, raw); out.Status != mailin.StatusAppended || out.TicketNumber != number {
				t.Errorf("outcome = %+v", out)
			}
		})
		t.Run("someone else's ticket number opens a new ticket", func(t *testing.T) {
			out := r.ingest(t, mail("mallory@evil.example", "["+number+"] let me in", "hello"))
			if out.Status != mailin.StatusCreated || out.TicketNumber == number {
				t.Errorf("outcome = %+v", out)
			}
		})
		t.Run("noise is logged and never answered", func(t *testing.T) {
			for name, want := range map[string]string{"bounce_dsn.eml": mailin.ReasonBounce, "auto_reply.eml": mailin.ReasonAutoReply} {
				raw, _ := os.ReadFile("testdata/" + name)
				if out := r.ingest(t, raw); out.Status != mailin.StatusIgnored || out.Reason != want || out.TicketNumber != "" {
					t.Errorf("%s: outcome = %+v", name, out)
				}
			}
			bulk := mail("news@shop.example", "Sale", "50% off", "Precedence: bulk")
			if out := r.ingest(t, bulk); out.Reason != mailin.ReasonBulk {
				t.Errorf("bulk: %+v", out)
			}
			own := mail("support@desk.example", "["+number+"] reply", "from us", "X-Helpdesk-Origin: desk-test")
			if out := r.ingest(t, own); out.Reason != mailin.ReasonOwnMessage {
				t.Errorf("own: %+v", out)
			}
			loop := mail("support@desk.example", "loop", "from our address")
			if out := r.ingest(t, loop); out.Reason != mailin.ReasonLoop {
				t.Errorf("loop: %+v", out)
			}
			echo := mail("someone@x.example", "echo", "body", "Message-ID: <out.1."+number+"@desk.example>")
			if out := r.ingest(t, echo); out.Reason != mailin.ReasonOwnMessage {
				t.Errorf("our Message-ID: %+v", out)
			}
		})
		t.Run("per-sender rate limit", func(t *testing.T) {
			var got []string
			for i := range 7 {
				out := r.ingest(t, mail("flood@x.example", fmt.Sprintf("flood %d", i), "again"))
				got = append(got, string(out.Status))
			}
			want := "created created created created created ignored ignored"
			if strings.Join(got, " ") != want {
				t.Errorf("outcomes = %v, want %s", got, want)
			}
		})
		t.Run("unknown sender ignored when the mailbox creates no customers", func(t *testing.T) {
			mb := r.mb
			mb.CreateUnknown = false
			out, err := r.svc.Ingest(ctx, mb, mail("stranger@x.example", "hi", "hello"))
			if err != nil || out.Reason != mailin.ReasonUnknownSender {
				t.Errorf("outcome = %+v, %v", out, err)
			}
		})
		t.Run("known user matched by email, case-insensitively", func(t *testing.T) {
			out := r.ingest(t, mail("Zhang <Zhang.San@Example.com>", "打印机坏了", "打印机无法连接"))
			tk, _ := r.d.Tickets.Get(ctx, identity.System, out.TicketNumber)
			if tk.Requester != "cust1" {
				t.Errorf("requester = %q, want cust1", tk.Requester)
			}
		})
		t.Run("refused attachments are listed in the message", func(t *testing.T) {
			raw, _ := os.ReadFile("testdata/inline_image.eml")
			out := r.ingest(t, raw)
			tk, _ := r.d.Tickets.Get(ctx, identity.System, out.TicketNumber)
			if !strings.Contains(tk.Description, "setup.exe") || !strings.Contains(tk.Description, "attachment.type_not_allowed") {
				t.Errorf("description = %q", tk.Description)
			}
			atts, _ := r.d.Tickets.Attachments(ctx, identity.System, out.TicketNumber)
			if len(atts) != 1 || atts[0].Filename != "shot.png" {
				t.Errorf("attachments = %+v", atts)
			}
		})
		t.Run("12 MB attachment refused, message kept", func(t *testing.T) {
			out := r.ingest(t, mailin.BigMessage(12<<20))
			tk, _ := r.d.Tickets.Get(ctx, identity.System, out.TicketNumber)
			if out.Status != mailin.StatusCreated || !strings.Contains(tk.Description, "huge.log") ||
				!strings.Contains(tk.Description, "attachment.too_large") {
				t.Errorf("outcome %+v description %q", out, tk.Description)
			}
		})
		t.Run("malformed message goes to the dead letters, mailbox goes on", func(t *testing.T) {
			out := r.ingest(t, []byte("\x00\x01 not mail"))
			if out.Status != mailin.StatusDead || out.Reason != mailin.ReasonMalformed {
				t.Errorf("outcome = %+v", out)
			}
			dead, err := r.svc.DeadLetters(ctx, identity.System, 0, 10)
			if err != nil || len(dead) == 0 || dead[0].ID != out.LogID {
				t.Errorf("dead letters = %+v, %v", dead, err)
			}
			if err := r.svc.DiscardEntry(ctx, identity.System, out.LogID); err != nil {
				t.Fatal(err)
			}
			if next := r.ingest(t, mail("after@x.example", "after", "still working")); next.Status != mailin.StatusCreated {
				t.Errorf("next message: %+v", next)
			}
		})
		t.Run("a transient failure is retried by the job", func(t *testing.T) {
			r.tickets.failCreates = 1
			out := r.ingest(t, mail("retry@x.example", "retry me", "body"))
			if out.Status != mailin.StatusFailed {
				t.Fatalf("outcome = %+v", out)
			}
			j, err := db.Jobs().ByKey(ctx, mailin.RetryKey(out.LogID))
			if err != nil || j.Kind != mailin.RetryKind {
				t.Fatalf("retry job = %+v, %v", j, err)
			}
			if err := r.svc.Retry(ctx, out.LogID, false); err != nil {
				t.Fatal(err)
			}
			e, raw, _ := db.Mail().Entry(ctx, out.LogID)
			if e.Status != mailin.StatusCreated || e.TicketNumber == "" || raw != nil {
				t.Errorf("after retry: %+v (raw kept: %v)", e, raw != nil)
			}
			// A second run of the job (at least once) changes nothing.
			if err := r.svc.Retry(ctx, out.LogID, false); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("processing log lists every outcome", func(t *testing.T) {
			log, err := r.svc.Log(ctx, identity.System, r.mb.ID, 0, nil, 200)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[mailin.Status]int{}
			for _, e := range log {
				seen[e.Status]++
			}
			if seen[mailin.StatusCreated] == 0 || seen[mailin.StatusAppended] != 3 || seen[mailin.StatusIgnored] < 8 {
				t.Errorf("log outcomes = %v", seen)
			}
			if _, err := r.svc.Log(ctx, r.d.Actors["agent1"], r.mb.ID, 0, nil, 10); err == nil {
				t.Error("an agent read the mail log")
			}
		})
		t.Run("reply to a closed ticket opens a linked one", func(t *testing.T) {
			tk := r.d.NewTicket(t, "cust1", "old problem")
			closeTicket(t, r, tk.Number)
			out := r.ingest(t, mail("zhang.san@example.com", "Re: ["+tk.Number+"] old problem", "it is back"))
			if out.Status != mailin.StatusCreated || out.TicketNumber == tk.Number {
				t.Errorf("outcome = %+v", out)
			}
		})
	})
}

func closeTicket(t *testing.T, r *rig, number string) {
	t.Helper()
	if _, err := r.d.Tickets.ChangeStatus(context.Background(), r.d.Actors["admin"], number, 0, ticket.StatusClosed, "done"); err != nil {
		t.Fatalf("close: %v", err)
	}
}
