package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestInbox: a supervisor is told of a customer's escalation in the inbox,
// in their language, with the unread count in the header; opening the
// message marks it read and goes to the ticket.
func TestInbox(t *testing.T) {
	d := newTestDesk(t)
	ctx := context.Background()
	tk := d.NewTicket(t, "cust1", "打印机卡纸")
	if _, err := d.Tickets.Escalate(ctx, d.Actors["cust1"], tk.Number, "三天没人处理"); err != nil {
		t.Fatal(err)
	}
	b := d.browser(t)
	b.signIn("super1")
	res, body := b.get("/inbox")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /inbox: %d", res.StatusCode)
	}
	want := "工单 " + tk.Number + " 已升级到第 1 级。"
	if !strings.Contains(body, want) {
		t.Errorf("the inbox lacks %q", want)
	}
	if !strings.Contains(body, `class="count js-inbox-count" aria-label="1 条未读">1</span>`) {
		t.Errorf("the header badge does not show 1 unread")
	}
	if _, got := b.get("/inbox/count"); !strings.Contains(got, `"unread":1`) {
		t.Errorf("GET /inbox/count: %s", got)
	}
	ns, _ := d.web.d.Inbox.List(ctx, d.Actors["super1"], true, 0, 10)
	if len(ns) != 1 {
		t.Fatalf("unread notifications: %d, want 1", len(ns))
	}
	res, _ = b.submit("/inbox", "/inbox/read", url.Values{"id": {itoa(ns[0].ID)}, "ticket": {tk.Number}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/t/"+tk.Number {
		t.Errorf("open: %d → %q, want 303 to the ticket", res.StatusCode, res.Header.Get("Location"))
	}
	if _, got := b.get("/inbox/count"); !strings.Contains(got, `"unread":0`) {
		t.Errorf("after opening: %s", got)
	}
	// Another user's messages are not the customer's.
	c := d.browser(t)
	c.signIn("cust1")
	if _, body := c.get("/inbox"); strings.Contains(body, want) {
		t.Error("the customer reads the supervisor's message")
	}
	anon := d.browser(t)
	if res, _ := anon.get("/inbox"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: %d, want a redirect to sign in", res.StatusCode)
	}
}
