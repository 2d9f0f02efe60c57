package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"helpdesk/internal/blob"
	"helpdesk/internal/desktest"
	"helpdesk/internal/httpapi"
	"helpdesk/internal/kb"
	"helpdesk/internal/notify"
	"helpdesk/internal/search"
	"helpdesk/internal/store"
	"helpdesk/internal/store/storetest"
)

// kbEngines runs fn on a desk whose API also serves search and the
// knowledge base, once per engine.
func kbEngines(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		d := desktest.New(t, db, desktest.Options{})
		mux := http.NewServeMux()
		httpapi.New(mux, kbDeps(t, d, httpapi.Deps{Identity: d.Identity, Tickets: d.Tickets, Inbox: notify.NewInbox(db.Notify(), nil),
			SLA: d.SLA, Routing: d.Routing, Ready: db.Ready, Version: "test", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		fn(t, &env{d: d, srv: srv, tokens: map[string]string{}})
	})
}

func kbDeps(t *testing.T, d *desktest.Desk, deps httpapi.Deps) httpapi.Deps {
	blobs, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	deps.Search = search.NewService(search.Deps{Store: d.DB.Search(), Tickets: d.Tickets, Audiences: kb.AudiencesFor})
	deps.KB = kb.NewService(kb.Deps{Store: d.DB.KB(), Tickets: d.Tickets, Search: deps.Search, Users: d.Identity,
		Suggester: kb.NewSuggester(d.DB.KB(), nil), Macros: d.DB.KB(), Actions: d.Tickets,
		Blobs: blobs, Attachments: d.DB.KB()})
	return deps
}

func TestSearchAPI(t *testing.T) {
	kbEngines(t, func(t *testing.T, e *env) {
		mine := e.createTicket(t, "cust1", map[string]any{"title": "打印机卡纸", "description": "HP LaserJet 每次打印都卡纸 <script>"})
		e.createTicket(t, "cust3", map[string]any{"title": "Printer jams", "description": "卡纸 again"})
		q := func(as, query string) reply {
			return e.do(t, call{as: as, method: "GET", path: "/api/v1/search?" + query})
		}
		r := q("cust1", "q="+url.QueryEscape("卡"))
		if r.status != 200 {
			t.Fatalf("search: %d %s", r.status, r.body)
		}
		items := r.items(t)
		if len(items) != 1 || items[0]["number"] != mine["number"] {
			t.Fatalf("cust1 searching 卡: got %v, want only their own ticket", items)
		}
		if s := items[0]["snippet_html"].(string); !strings.Contains(s, "<mark>卡</mark>") || strings.Contains(s, "<script>") {
			t.Errorf("snippet_html = %q, want the hit marked and the text escaped", s)
		}
		if got := len(q("admin", "q="+url.QueryEscape("卡纸")).items(t)); got != 2 {
			t.Errorf("admin searching 卡纸: got %d, want 2", got)
		}
		r = q("admin", "q="+url.QueryEscape(mine["number"].(string)))
		if items := r.items(t); len(items) == 0 || items[0]["exact_number"] != true {
			t.Errorf("number search: got %s, want the ticket first, marked exact", r.body)
		}
		for _, tc := range []struct {
			as, query string
			status    int
			code      string
		}{
			{"cust1", "q=", 422, "search.query_empty"},
			{"cust1", "q=-printer", 422, "search.only_exclusions"},
			{"cust1", "q=" + strings.Repeat("a", 300), 422, "search.query_too_long"},
			{"cust1", "q=a&kind=user", 422, "request.validation"},
			{"cust1", "q=a&category=nope", 422, "category.not_found"},
			{"", "q=a", 401, "auth.required"},
		} {
			r := q(tc.as, tc.query)
			if r.status != tc.status || r.problem(t).Code != tc.code {
				t.Errorf("%s: got %d %s, want %d %s", tc.query, r.status, r.body, tc.status, tc.code)
			}
		}
	})
}
