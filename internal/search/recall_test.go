package search_test

import (
	"context"
	"slices"
	"testing"

	"helpdesk/internal/desktest"
	"helpdesk/internal/identity"
	"helpdesk/internal/search"
	"helpdesk/internal/search/corpus"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
	"helpdesk/internal/ticket"
)

var categories = []string{"hardware", "network", "software", "consultation", "consultation", "complaint"}

type doc struct {
	id                  int64
	number, title, body string
	requester           string
	internal            bool
}

// seed files n generated tickets as cust1 and cust3 alternately, with a
// public reply and an internal note on every third, through the services.
func seed(t *testing.T, d *desktest.Desk, n int) (tickets, messages []doc) {
	t.Helper()
	ctx := context.Background()
	g := corpus.New(42)
	for i := range n {
		topic := g.TopicIndex()
		title, body, _ := g.TicketOf(topic)
		login := []string{"cust1", "cust3"}[i%2]
		tk, err := d.Tickets.Create(ctx, d.Actors[login], ticket.CreateInput{Title: title, Description: body,
			Category: categories[topic], Priority: ticket.P3})
		if err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		tickets = append(tickets, doc{id: tk.ID, number: tk.Number, title: tk.Title, body: tk.Description, requester: login})
		if i%3 == 0 {
			for _, internal := range []bool{false, true} {
				m, err := d.Tickets.AddMessage(ctx, d.Actors["admin"], tk.Number, ticket.MessageInput{Body: g.Reply(topic), Internal: internal})
				if err != nil {
					t.Fatalf("message: %v", err)
				}
				messages = append(messages, doc{id: m.ID, number: tk.Number, body: m.Body, requester: login, internal: internal})
			}
		}
	}
	return tickets, messages
}

// all pages through a search and returns the ids found.
func all(t *testing.T, s *search.Service, by identity.Actor, in search.Input) []int64 {
	t.Helper()
	var ids []int64
	in.PageSize = search.MaxPageSize
	for page := 1; ; page++ {
		in.Page = page
		res, err := s.Search(context.Background(), by, in)
		if err != nil {
			t.Fatalf("search %q: %v", in.Q, err)
		}
		if res.Capped {
			t.Fatalf("search %q: capped at %d, the corpus is too large for a recall test", in.Q, res.Total)
		}
		for _, r := range res.Results {
			ids = append(ids, r.ID)
		}
		if len(res.Results) < in.PageSize {
			return ids
		}
	}
}

var recallQueries = []string{
	"卡", "屏", "网", "码", "慢", // one character
	"打印", "网络", "密码", "蓝屏", "卡纸", "邮箱", // two characters
	"打印模糊", "无法开机", "认证失败", "运行缓慢", // four characters
	"无法访问", "连不上", "打印机", // longer phrases
	"printer", "password", "error", "crash", // English words
	`"paper jam"`, `"keeps failing"`, "0x80070005", "LaserJet", // phrases, codes, mixed case
	"打印 -printer", "网络 慢", "vpn 连不上", "WiFi", "ＷｉＦｉ", "鍵盤", "網絡", // combinations and folding
	"Windows 11", "紧急 -非常",
}

func newSearch(d *desktest.Desk) *search.Service {
	return search.NewService(search.Deps{Store: d.DB.Search(), Tickets: d.Tickets})
}

// TestRecall compares the index with a brute-force scan of every ticket
// and message over a generated mixed Chinese/English corpus: everything
// the scan finds, the index finds (equal recall); the extra rows the index
// returns (bigram phrases across punctuation) are counted and logged.
func TestRecall(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		d := desktest.New(t, db, desktest.Options{})
		tickets, messages := seed(t, d, 300)
		s := newSearch(d)
		admin := d.Actors["admin"]
		for _, kind := range []search.Kind{search.KindTicket, search.KindMessage} {
			corpus := tickets
			if kind == search.KindMessage {
				corpus = messages
			}
			extra, matched := 0, 0
			for _, qs := range recallQueries {
				q, err := search.Parse(qs)
				if err != nil {
					t.Fatal(err)
				}
				var want []int64
				for _, dc := range corpus {
					fields := []string{dc.body}
					if kind == search.KindTicket {
						fields = []string{dc.number + " " + dc.title, dc.body}
					}
					if q.Match(fields...) {
						want = append(want, dc.id)
					}
				}
				got := all(t, s, admin, search.Input{Q: qs, Kind: string(kind)})
				for _, id := range want {
					if !slices.Contains(got, id) {
						t.Errorf("%s %q: scan finds %d, the index does not (found %d of %d)", kind, qs, id, len(got), len(want))
						break
					}
				}
				extra += len(got) - len(want)
				if len(want) > 0 {
					matched++
				}
			}
			if kind == search.KindTicket && matched < len(recallQueries)-1 {
				t.Errorf("only %d of %d queries match the corpus: the test measures too little", matched, len(recallQueries))
			}
			t.Logf("%s: %d queries, %d extra results beyond the scan", kind, len(recallQueries), extra)
		}
		// A ticket number is listed first.
		n := tickets[len(tickets)/2]
		res, err := s.Search(context.Background(), admin, search.Input{Q: n.number})
		if err != nil || len(res.Results) == 0 || res.Results[0].Number != n.number || !res.Results[0].ExactNumber {
			t.Errorf("search %s: got %+v (%v), want that ticket first", n.number, res.Results, err)
		}
	})
}

// TestVisibility: a customer finds only tickets they may see and never an
// internal note; an agent only the tickets of their groups.
func TestVisibility(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		d := desktest.New(t, db, desktest.Options{})
		tickets, messages := seed(t, d, 60)
		s := newSearch(d)
		for _, qs := range []string{"的", "the", "请", "您好", "please"} {
			for _, login := range []string{"cust1", "cust2", "cust3"} {
				by := d.Actors[login]
				for _, id := range all(t, s, by, search.Input{Q: qs}) {
					i := slices.IndexFunc(tickets, func(dc doc) bool { return dc.id == id })
					own := tickets[i].requester == login || login == "cust2" && tickets[i].requester == "cust1"
					if !own {
						t.Errorf("%s searching %q found %s of %s", login, qs, tickets[i].number, tickets[i].requester)
					}
				}
				for _, id := range all(t, s, by, search.Input{Q: qs, Kind: "message"}) {
					i := slices.IndexFunc(messages, func(dc doc) bool { return dc.id == id })
					if messages[i].internal {
						t.Errorf("%s searching %q found internal note %d", login, qs, id)
					}
				}
			}
			// agent3 works hardware only.
			res, err := s.Search(context.Background(), d.Actors["agent3"], search.Input{Q: qs, PageSize: 50})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res.Results {
				if r.Group != "hardware" {
					t.Errorf("agent3 searching %q found %s of group %s", qs, r.Number, r.Group)
				}
			}
		}
		// Customers do find their own public replies.
		found := all(t, s, d.Actors["cust1"], search.Input{Q: "您好", Kind: "message"})
		found = append(found, all(t, s, d.Actors["cust1"], search.Input{Q: "please", Kind: "message"})...)
		found = append(found, all(t, s, d.Actors["cust1"], search.Input{Q: "已经", Kind: "message"})...)
		if len(found) == 0 {
			t.Errorf("cust1 found none of their public replies")
		}
	})
}

// TestIndexFollowsEdits: an edited title is found by its new words only.
func TestIndexFollowsEdits(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		d := desktest.New(t, db, desktest.Options{})
		tk := d.NewTicket(t, "cust1", "旧标题 oldword")
		newTitle := "新标题 freshword 投影仪"
		if _, err := d.Tickets.Update(context.Background(), d.Actors["admin"], tk.Number, 0, ticket.Patch{Title: &newTitle}); err != nil {
			t.Fatal(err)
		}
		s := newSearch(d)
		for q, want := range map[string]int{"oldword": 0, "旧标题": 0, "freshword": 1, "投影": 1, "影": 1} {
			res, err := s.Search(context.Background(), d.Actors["admin"], search.Input{Q: q})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Results) != want {
				t.Errorf("search %q after the edit: got %d results, want %d", q, len(res.Results), want)
			}
		}
		// A transfer to another group moves the ticket into that group's searches.
		find := func(login string) int {
			res, err := s.Search(context.Background(), d.Actors[login], search.Input{Q: "freshword"})
			if err != nil {
				t.Fatal(err)
			}
			return len(res.Results)
		}
		if find("agent1") != 1 || find("agent3") != 0 {
			t.Fatalf("before the transfer: software agent finds %d, hardware agent %d; want 1 and 0", find("agent1"), find("agent3"))
		}
		if _, err := d.Tickets.Assign(context.Background(), d.Actors["admin"], tk.Number, 0, "", "hardware", "硬件问题"); err != nil {
			t.Fatal(err)
		}
		if find("agent1") != 0 || find("agent3") != 1 {
			t.Errorf("after the transfer: software agent finds %d, hardware agent %d; want 0 and 1", find("agent1"), find("agent3"))
		}
		// Reindexing from scratch gives the same answer.
		if _, err := db.Search().Reindex(context.Background()); err != nil {
			t.Fatal(err)
		}
		res, _ := s.Search(context.Background(), d.Actors["admin"], search.Input{Q: "freshword"})
		if len(res.Results) != 1 || find("agent3") != 1 || find("agent1") != 0 {
			t.Errorf("after reindex: got %d results (hardware agent %d), want 1", len(res.Results), find("agent3"))
		}
	})
}

// TestRebuildEqualsLiveIndex: the index rebuilt for a maintenance window
// (Rebuild) and rebuilt online (Reindex) answer every query class, for
// staff and customers, tickets and messages, exactly as the index kept up
// to date by the changes themselves.
func TestRebuildEqualsLiveIndex(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		d := desktest.New(t, db, desktest.Options{})
		seed(t, d, 60)
		s := newSearch(d)
		answers := func() map[string][]int64 {
			out := map[string][]int64{}
			for _, q := range []string{"卡", "打印", "无法开机", "printer", "-打印 网络", `"password reset"`, "您好"} {
				for _, login := range []string{"admin", "agent3", "cust1"} {
					for _, kind := range []search.Kind{search.KindTicket, search.KindMessage} {
						out[q+"/"+login+"/"+string(kind)] = all(t, s, d.Actors[login], search.Input{Q: q, Kind: string(kind)})
					}
				}
			}
			return out
		}
		live := answers()
		found := 0
		for _, ids := range live {
			found += len(ids)
		}
		if found == 0 {
			t.Fatal("the live index finds nothing: the comparison would be empty")
		}
		for name, rebuild := range map[string]func(context.Context) (store.ReindexCounts, error){
			"rebuild": db.Search().Rebuild, "reindex": db.Search().Reindex} {
			n, err := rebuild(context.Background())
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if n.Tickets != 60 || n.Messages == 0 {
				t.Errorf("%s indexed %+v, want 60 tickets and their messages", name, n)
			}
			for k, ids := range answers() {
				if !slices.Equal(ids, live[k]) {
					t.Errorf("after %s, %s: %v, live index %v", name, k, ids, live[k])
				}
			}
		}
	})
}
