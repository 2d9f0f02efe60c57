package web

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"helpdesk/internal/desktest"
	"helpdesk/internal/live"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

// sseEvent is one Server-Sent Event as read by a test.
type sseEvent struct {
	Event, ID string
	Data      eventJSON
	Raw       string
}

// openSSE subscribes to a stream; events arrive on the channel until the test ends.
func (b *browser) openSSE(path, lastID string) <-chan sseEvent {
	b.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		b.t.Fatalf("%s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
	}
	ch := make(chan sseEvent, 64)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Event != "" {
					if ev.Event == "change" {
						json.Unmarshal([]byte(ev.Raw), &ev.Data)
					}
					ch <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.Event = line[7:]
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "data: "):
				ev.Raw = line[6:]
			}
		}
	}()
	return ch
}

// waitChange waits for a change event of the ticket, failing after a while.
func waitChange(t *testing.T, ch <-chan sseEvent, number, kind string) sseEvent {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case ev := <-ch:
			if ev.Event == "change" && ev.Data.Ticket == number && (kind == "" || ev.Data.Kind == kind) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %q event for %s", kind, number)
		}
	}
}

func TestLiveTicketStreamHidesNotesFromCustomers(t *testing.T) {
	d := newTestDesk(t)
	tk := d.NewTicket(t, "cust1", "实时测试")
	cust := d.browser(t)
	cust.signIn("cust1")
	agent := d.browser(t)
	agent.signIn("agent1")
	ch := cust.openSSE("/t/"+tk.Number+"/live", "")
	staff := agent.openSSE("/t/"+tk.Number+"/live", "")
	ctx := context.Background()
	if _, err := d.Tickets.AddMessage(ctx, d.Actors["agent1"], tk.Number, ticket.MessageInput{Body: "内部", Internal: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Tickets.AddMessage(ctx, d.Actors["agent1"], tk.Number, ticket.MessageInput{Body: "公开回复"}); err != nil {
		t.Fatal(err)
	}
	waitChange(t, staff, tk.Number, "note")
	// The customer's first event about this ticket is the public reply: the
	// note, written before it, was filtered out.
	for {
		ev := waitChange(t, ch, tk.Number, "")
		if ev.Data.Kind == "note" {
			t.Fatal("the customer's stream carried an internal note")
		}
		if ev.Data.Kind == "message" {
			break
		}
	}
	// Strangers cannot subscribe to the ticket.
	other := d.browser(t)
	other.signIn("cust3")
	if res, _ := other.get("/t/" + tk.Number + "/live"); res.StatusCode != http.StatusNotFound {
		t.Errorf("stranger stream: %d", res.StatusCode)
	}
}

func TestLiveResumeWithLastEventID(t *testing.T) {
	d := newTestDesk(t)
	tk := d.NewTicket(t, "cust1", "断线重连")
	cust := d.browser(t)
	cust.signIn("cust1")
	ctx := context.Background()
	ch := cust.openSSE("/t/"+tk.Number+"/live", "")
	if _, err := d.Tickets.AddMessage(ctx, d.Actors["agent1"], tk.Number, ticket.MessageInput{Body: "第一条"}); err != nil {
		t.Fatal(err)
	}
	first := waitChange(t, ch, tk.Number, "message")
	if first.ID == "" {
		t.Fatal("change events carry no id to resume from")
	}
	// While the browser is away, two more replies arrive.
	m2, _ := d.Tickets.AddMessage(ctx, d.Actors["agent1"], tk.Number, ticket.MessageInput{Body: "第二条"})
	d.Tickets.AddMessage(ctx, d.Actors["agent1"], tk.Number, ticket.MessageInput{Body: "第三条"})
	resumed := cust.openSSE("/t/"+tk.Number+"/live", first.ID)
	got := map[int64]bool{}
	deadline := time.After(15 * time.Second)
	for len(got) < 2 {
		select {
		case ev := <-resumed:
			if ev.Event == "change" {
				if ev.Data.ID <= mustInt(t, first.ID) {
					t.Errorf("resumed stream repeated event %d from before %s", ev.Data.ID, first.ID)
				}
				got[ev.Data.ID] = true
			}
		case <-deadline:
			t.Fatalf("resumed stream delivered %d of 2 events (reply %d)", len(got), m2.ID)
		}
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if err := json.Unmarshal([]byte(s), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLiveQueueFilteredByGroup(t *testing.T) {
	d := newTestDesk(t)
	soft := d.browser(t)
	soft.signIn("agent1") // software
	hard := d.browser(t)
	hard.signIn("agent3") // hardware
	sch := soft.openSSE("/desk/live", "")
	hch := hard.openSSE("/desk/live", "")
	tk := d.NewTicket(t, "cust1", "软件组的新工单")
	waitChange(t, sch, tk.Number, "created")
	// The hardware agent's stream stays silent about it: a marker ticket
	// of the hardware group, created after, arrives first.
	marker, err := d.Tickets.Create(context.Background(), d.Actors["cust1"], ticket.CreateInput{Title: "硬件", Description: "x",
		Category: "hardware", Priority: ticket.P3})
	if err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case ev := <-hch:
			if ev.Data.Ticket == tk.Number {
				t.Fatal("the hardware agent got the software ticket")
			}
			if ev.Data.Ticket == marker.Number {
				return
			}
		case <-time.After(15 * time.Second):
			t.Fatal("the hardware agent got no event for its own group")
		}
	}
}

// TestLiveAcrossNodes runs two web desks on one PostgreSQL database, each
// with its own hub woken by LISTEN/NOTIFY: a change made through one node
// reaches a browser subscribed on the other.
func TestLiveAcrossNodes(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	open := func() *store.DB {
		db, err := store.Open(ctx, dsn, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	db1, db2 := open(), open()
	a := newTestDeskOn(t, db1)
	b := secondNode(t, db2)
	for _, n := range []struct {
		hub *live.Hub
		db  *store.DB
	}{{a.hub, db1}, {b.hub, db2}} {
		go n.hub.Listen(ctx, func(ctx context.Context, wake func()) error { return n.db.Listen(ctx, dsn, wake) }, nil)
	}
	// A wake-up crosses nodes: node B's hub is woken by a write on node A.
	time.Sleep(300 * time.Millisecond) // let both LISTEN
	woken := b.hub.Changed()
	tk := a.NewTicket(t, "cust1", "跨节点")
	select {
	case <-woken:
	case <-time.After(10 * time.Second):
		t.Fatal("node B was not woken by NOTIFY")
	}
	cust := &browser{t: t, base: b.srv.URL, c: a.browser(t).c}
	cust.signIn("cust1")
	ch := cust.openSSE("/t/"+tk.Number+"/live", "")
	if _, err := a.Tickets.AddMessage(ctx, a.Actors["agent1"], tk.Number, ticket.MessageInput{Body: "来自节点 A"}); err != nil {
		t.Fatal(err)
	}
	first := waitChange(t, ch, tk.Number, "message")
	// Resume on node A with the id node B gave.
	a.Tickets.AddMessage(ctx, a.Actors["agent1"], tk.Number, ticket.MessageInput{Body: "第二条"})
	onA := &browser{t: t, base: a.srv.URL, c: cust.c}
	resumed := onA.openSSE("/t/"+tk.Number+"/live", first.ID)
	// On PostgreSQL the resume point trails by the commit grace window, so
	// the first event may come again (pages drop repeats by id); the new
	// one must come.
	for {
		if ev := waitChange(t, resumed, tk.Number, "message"); ev.Data.ID > first.Data.ID {
			break
		}
	}
}

// secondNode is another web desk on the same database, without new users.
func secondNode(t *testing.T, db *store.DB) *testDesk {
	d := desktest.New(t, db, desktest.Options{NoUsers: true})
	hub := live.NewHub(db.Web(), false, nil)
	mux := http.NewServeMux()
	w, err := New(mux, Deps{Identity: d.Identity, Tickets: d.Tickets, SLA: d.SLA, Routing: d.Routing, Live: hub})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &testDesk{Desk: d, srv: srv, web: w, hub: hub}
}

// TestFeedOutOfOrderCommits: on PostgreSQL a later id can commit first. The
// reader must still deliver the earlier id once it commits.
func TestFeedOutOfOrderCommits(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	d := desktest.New(t, db, desktest.Options{})
	tk := d.NewTicket(t, "cust1", "乱序提交")
	hub := live.NewHub(db.Web(), false, nil)
	cur, err := hub.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	insert := `INSERT INTO ticket_events (ticket_id, actor, kind, at) VALUES ($1, 'test', 'message', $2) RETURNING id`
	slow, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var early, late int64
	if err := slow.QueryRowContext(ctx, insert, tk.ID, time.Now().UnixMicro()).Scan(&early); err != nil {
		t.Fatal(err)
	}
	if err := raw.QueryRowContext(ctx, insert, tk.ID, time.Now().UnixMicro()).Scan(&late); err != nil {
		t.Fatal(err)
	}
	if late <= early {
		t.Fatalf("ids %d, %d not in order", early, late)
	}
	got, err := hub.Next(ctx, cur, tk.ID)
	if err != nil || len(got) != 1 || got[0].ID != late {
		t.Fatalf("first read = %+v (%v), want only %d", got, err, late)
	}
	if err := slow.Commit(); err != nil {
		t.Fatal(err)
	}
	got, err = hub.Next(ctx, cur, tk.ID)
	if err != nil || len(got) != 1 || got[0].ID != early {
		t.Fatalf("after the slow commit = %+v (%v), want %d", got, err, early)
	}
	if got, _ := hub.Next(ctx, cur, tk.ID); len(got) != 0 {
		t.Errorf("a third read repeated %+v", got)
	}
}

func TestPresence(t *testing.T) {
	d := newTestDesk(t)
	tk := d.NewTicket(t, "cust1", "两人同时处理")
	a1, a2 := d.browser(t), d.browser(t)
	a1.signIn("agent1")
	a2.signIn("agent2")
	ch := a1.openSSE("/t/"+tk.Number+"/live", "")
	page := "/t/" + tk.Number
	if res, _ := a2.submit(page, page+"/presence", url.Values{"typing": {"1"}}); res.StatusCode != http.StatusNoContent {
		t.Fatalf("presence: %d", res.StatusCode)
	}
	deadline := time.After(15 * time.Second)
	for {
		select {
		case ev := <-ch:
			if ev.Event == "presence" && strings.Contains(ev.Raw, "赵工") && strings.Contains(ev.Raw, `"typing":true`) {
				goto left
			}
		case <-deadline:
			t.Fatal("agent1 was not told agent2 is typing")
		}
	}
left:
	if res, _ := a2.submit(page, page+"/presence", url.Values{"leave": {"1"}}); res.StatusCode != http.StatusNoContent {
		t.Fatalf("leave: %d", res.StatusCode)
	}
	for {
		select {
		case ev := <-ch:
			if ev.Event == "presence" && ev.Raw == "[]" {
				return
			}
		case <-time.After(15 * time.Second):
			t.Fatal("agent1 was not told agent2 left")
		}
	}
}
