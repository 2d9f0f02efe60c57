package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"helpdesk/internal/ticket"
)

var numberRE = regexp.MustCompile(`^TS\d{8}\d{3,}$`)

func TestCreateAndGetTicket(t *testing.T) {
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		var number string
		// The API's field names are a contract: these and only these.
		want := []string{"number", "title", "description", "category", "priority", "status", "channel", "contact_phone",
			"contact_email", "custom_fields", "group", "assignee", "requester", "created_at", "updated_at", "sla"}
		optional := []string{"organization", "version", "first_response_at", "resolved_at", "closed_at", "escalation_level", "parent"}
		checkFields := func(t *testing.T, m map[string]any) {
			t.Helper()
			for _, k := range want {
				if _, ok := m[k]; !ok {
					t.Errorf("field %q missing from %v", k, m)
				}
			}
			for k := range m {
				if !slices.Contains(want, k) && !slices.Contains(optional, k) {
					t.Errorf("unexpected field %q", k)
				}
			}
		}
		e.run(t, []scenario{
			{name: "create", as: "cust1", method: http.MethodPost, path: "/api/v1/tickets", wantStatus: http.StatusCreated,
				body: map[string]any{"title": "VPN 连不上", "description": "昨天开始 VPN 连接超时", "category": "software",
					"priority": "P2", "custom_fields": map[string]any{"os": "Windows", "version": "3.2.1"}},
				check: func(t *testing.T, r reply) {
					m := r.object(t)
					number = str(m, "number")
					if !numberRE.MatchString(number) {
						t.Errorf("number = %q, want TSyyyymmddNNN", number)
					}
					if got, want := r.header.Get("Location"), "/api/v1/tickets/"+number; got != want {
						t.Errorf("Location = %q, want %q", got, want)
					}
					if got := r.header.Get("ETag"); got != `"1"` {
						t.Errorf("ETag = %q, want %q", got, `"1"`)
					}
					checkFields(t, m)
					for k, want := range map[string]string{"title": "VPN 连不上", "category": "software", "priority": "P2",
						"status": "unassigned", "channel": "api", "group": "software", "requester": "cust1",
						"contact_phone": "13812341234", "contact_email": "zhang.san@example.com"} {
						if got := str(m, k); got != want {
							t.Errorf("%s = %q, want %q", k, got, want)
						}
					}
					if m["assignee"] != nil {
						t.Errorf("assignee = %v, want null", m["assignee"])
					}
					// P2 runs on the 24×7 calendar: first response due in 4 h,
					// nothing to acknowledge before someone is assigned.
					sl, _ := m["sla"].(map[string]any)
					if sl == nil {
						t.Fatalf("sla = %v, want an object", m["sla"])
					}
					created, _ := time.Parse(time.RFC3339Nano, str(m, "created_at"))
					due, err := time.Parse(time.RFC3339Nano, str(sl, "first_response_due"))
					if err != nil || due.Sub(created) != 4*time.Hour {
						t.Errorf("first_response_due = %v (%v), want created_at + 4h", sl["first_response_due"], err)
					}
					if sl["acknowledge_due"] != nil || sl["resolution_due"] == nil {
						t.Errorf("acknowledge_due = %v (want null), resolution_due = %v (want set)", sl["acknowledge_due"], sl["resolution_due"])
					}
					for _, k := range []string{"paused", "breached"} {
						if l, ok := sl[k].([]any); !ok || len(l) != 0 {
							t.Errorf("sla.%s = %v, want []", k, sl[k])
						}
					}
				}},
		})
		e.run(t, []scenario{{name: "get it back", as: "cust1", path: ticketPath(number), wantStatus: http.StatusOK,
			check: func(t *testing.T, r reply) {
				m := r.object(t)
				checkFields(t, m)
				if got := str(m, "number"); got != number {
					t.Errorf("number = %q, want %q", got, number)
				}
				if got := str(m, "description"); got != "昨天开始 VPN 连接超时" {
					t.Errorf("description = %q", got)
				}
				cf, _ := m["custom_fields"].(map[string]any)
				if cf["os"] != "Windows" || cf["version"] != "3.2.1" {
					t.Errorf("custom_fields = %v", cf)
				}
				if got := r.header.Get("ETag"); got != `"1"` {
					t.Errorf("ETag = %q, want %q", got, `"1"`)
				}
			}},
			{name: "unknown number", as: "cust1", path: ticketPath("TS19990101001"), wantStatus: http.StatusNotFound,
				wantCode: "ticket.not_found"},
		})
	})
}

func TestIdempotencyKey(t *testing.T) {
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		create := func(as, key string) reply {
			return e.do(t, call{as: as, method: http.MethodPost, path: "/api/v1/tickets", headers: map[string]string{"Idempotency-Key": key},
				body: map[string]any{"title": "重复提交", "description": "网络抖动时客户端重试", "category": "software"}})
		}
		first := create("cust1", "k-123")
		if first.status != http.StatusCreated || first.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first: status %d replayed %q, want 201 and no header: %s", first.status, first.header.Get("Idempotent-Replayed"), first.body)
		}
		again := create("cust1", "k-123")
		if again.status != http.StatusOK || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry: status %d replayed %q, want 200 true", again.status, again.header.Get("Idempotent-Replayed"))
		}
		if got, want := str(again.object(t), "number"), str(first.object(t), "number"); got != want {
			t.Errorf("retry number = %q, want %q", got, want)
		}
		other := create("cust3", "k-123")
		if other.status != http.StatusCreated {
			t.Fatalf("other user, same key: status %d, want 201", other.status)
		}
		if str(other.object(t), "number") == str(first.object(t), "number") {
			t.Errorf("two users with the same key got the same ticket")
		}
		fresh := create("cust1", "k-456")
		if fresh.status != http.StatusCreated || str(fresh.object(t), "number") == str(first.object(t), "number") {
			t.Errorf("new key: status %d, want 201 and a new ticket", fresh.status)
		}
		long := create("cust1", strings.Repeat("k", 201))
		if long.status != http.StatusUnprocessableEntity {
			t.Errorf("201-character key: status %d, want 422", long.status)
		}
	})
}

func TestListFilters(t *testing.T) {
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		ctx := context.Background()
		mk := func(as, title, cat string, p ticket.Priority) ticket.Ticket {
			tk, err := e.d.Tickets.Create(ctx, e.d.Actors[as], ticket.CreateInput{Title: title, Description: "d", Category: cat, Priority: p})
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}
		t1 := mk("cust1", "t1", "software", ticket.P1)
		t2 := mk("cust1", "t2", "hardware", ticket.P2)
		t3 := mk("cust3", "t3", "software", ticket.P3)
		if _, err := e.d.Tickets.Claim(ctx, e.d.Actors["agent1"], t3.Number); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // t4 is created strictly later than the others
		t4 := mk("cust2", "t4", "network", ticket.P4)
		if _, err := e.d.Tickets.ChangeStatus(ctx, e.d.Actors["cust2"], t4.Number, 0, ticket.StatusClosed, ""); err != nil {
			t.Fatal(err)
		}
		at := url.QueryEscape(t4.CreatedAt.UTC().Format(time.RFC3339Nano))
		future := url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		n1, n2, n3, n4 := t1.Number, t2.Number, t3.Number, t4.Number
		tests := []struct {
			name, as, query string
			want            []string
		}{
			{"all as admin", "admin", "", []string{n1, n2, n3, n4}},
			{"status", "admin", "status=assigned", []string{n3}},
			{"status list", "admin", "status=unassigned,closed", []string{n1, n2, n4}},
			{"status repeated", "admin", "status=unassigned&status=closed", []string{n1, n2, n4}},
			{"priority", "admin", "priority=P1", []string{n1}},
			{"priorities", "admin", "priority=P1&priority=P2", []string{n1, n2}},
			{"category", "admin", "category=hardware", []string{n2}},
			{"unknown category", "admin", "category=nope", nil},
			{"group", "admin", "group=network", []string{n4}},
			{"assignee me", "agent1", "assignee=me", []string{n3}},
			{"assignee login", "admin", "assignee=agent1", []string{n3}},
			{"assignee none", "admin", "assignee=none", []string{n1, n2, n4}},
			{"requester", "admin", "requester=cust3", []string{n3}},
			{"requester and category", "admin", "requester=cust1&category=software", []string{n1}},
			{"created_from inclusive", "admin", "created_from=" + at, []string{n4}},
			{"created_to exclusive", "admin", "created_to=" + at, []string{n1, n2, n3}},
			{"created in the future", "admin", "created_from=" + future, nil},
			{"customer sees own", "cust1", "", []string{n1, n2}},
			{"org-visible customer", "cust2", "", []string{n1, n2, n4}},
			{"software agent", "agent1", "", []string{n1, n3}},
			{"hardware agent", "agent3", "", []string{n2}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.do(t, call{as: tt.as, method: http.MethodGet, path: "/api/v1/tickets?" + tt.query})
				if r.status != http.StatusOK {
					t.Fatalf("status %d: %s", r.status, r.body)
				}
				got := numbers(r.items(t))
				slices.Sort(got)
				if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
					t.Errorf("got %v, want %v", got, tt.want)
				}
			})
		}
		e.run(t, []scenario{
			{name: "bad status", as: "admin", path: "/api/v1/tickets?status=open", wantStatus: http.StatusUnprocessableEntity},
			{name: "bad created_from", as: "admin", path: "/api/v1/tickets?created_from=yesterday", wantStatus: http.StatusUnprocessableEntity},
			{name: "limit too big", as: "admin", path: "/api/v1/tickets?limit=1000", wantStatus: http.StatusUnprocessableEntity},
		})
	})
}

func TestListPagination(t *testing.T) {
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		var created []string
		for i := range 25 {
			created = append(created, e.d.NewTicket(t, "cust1", "第"+string(rune('A'+i))+"张").Number)
		}
		e.d.NewTicket(t, "cust3", "someone else's")
		pages := func(t *testing.T, query string) (all []string, sizes []int) {
			t.Helper()
			cursor := ""
			for range 10 {
				path := "/api/v1/tickets?limit=10" + query
				if cursor != "" {
					path += "&cursor=" + url.QueryEscape(cursor)
				}
				r := e.do(t, call{as: "cust1", method: http.MethodGet, path: path})
				if r.status != http.StatusOK {
					t.Fatalf("%s: status %d: %s", path, r.status, r.body)
				}
				m := r.object(t)
				items := r.items(t)
				all = append(all, numbers(items)...)
				sizes = append(sizes, len(items))
				next, present := m["next_cursor"]
				if !present {
					return all, sizes
				}
				if cursor = next.(string); cursor == "" {
					t.Fatalf("next_cursor present but empty")
				}
			}
			t.Fatalf("more than 10 pages")
			return nil, nil
		}
		t.Run("created ascending", func(t *testing.T) {
			got, sizes := pages(t, "&sort=created_at&order=asc")
			if !slices.Equal(sizes, []int{10, 10, 5}) {
				t.Errorf("page sizes = %v, want [10 10 5]", sizes)
			}
			if !slices.Equal(got, created) {
				t.Errorf("paged = %v\nwant    %v", got, created)
			}
		})
		for _, q := range []string{"", "&sort=priority", "&sort=created_at", "&sort=updated_at&order=asc"} {
			t.Run("each once"+q, func(t *testing.T) {
				got, _ := pages(t, q)
				r := e.do(t, call{as: "cust1", method: http.MethodGet, path: "/api/v1/tickets?limit=200" + q})
				whole := numbers(r.items(t))
				if !slices.Equal(got, whole) {
					t.Errorf("paged = %v\nwhole  %v", got, whole)
				}
				sorted := slices.Clone(got)
				slices.Sort(sorted)
				if !slices.Equal(slices.Compact(sorted), created) {
					t.Errorf("paged set = %v, want every ticket exactly once", sorted)
				}
			})
		}
		t.Run("exact multiple has no empty last page", func(t *testing.T) {
			r := e.do(t, call{as: "cust1", method: http.MethodGet, path: "/api/v1/tickets?limit=25"})
			if m := r.object(t); len(r.items(t)) != 25 || m["next_cursor"] != nil {
				t.Errorf("got %d items, next_cursor %v; want 25 and none", len(r.items(t)), m["next_cursor"])
			}
		})
		e.run(t, []scenario{
			{name: "garbage cursor", as: "cust1", path: "/api/v1/tickets?cursor=not-a-cursor!", wantStatus: http.StatusUnprocessableEntity,
				wantCode: "list.cursor_invalid"},
			{name: "base64 of junk", as: "cust1", path: "/api/v1/tickets?cursor=eyJ2Ijoi", wantStatus: http.StatusUnprocessableEntity,
				wantCode: "list.cursor_invalid"},
		})
	})
}

func TestPatchIfMatch(t *testing.T) {
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		n := str(e.createTicket(t, "cust1", nil), "number")
		patch := func(ifMatch, title string) call {
			c := call{as: "cust1", method: http.MethodPatch, path: ticketPath(n), body: map[string]any{"title": title}}
			if ifMatch != "" {
				c.headers = map[string]string{"If-Match": ifMatch}
			}
			return c
		}
		sc := func(name, ifMatch, title string, status int, code, wantETag string) scenario {
			c := patch(ifMatch, title)
			return scenario{name: name, as: c.as, method: c.method, path: c.path, body: c.body, headers: c.headers,
				wantStatus: status, wantCode: code, check: func(t *testing.T, r reply) {
					if wantETag != "" && r.header.Get("ETag") != wantETag {
						t.Errorf("ETag = %q, want %q", r.header.Get("ETag"), wantETag)
					}
				}}
		}
		e.run(t, []scenario{
			sc("current etag", `"1"`, "第二版标题", http.StatusOK, "", `"2"`),
			sc("stale etag", `"1"`, "过期的修改", http.StatusPreconditionFailed, "ticket.version_mismatch", ""),
			sc("weak etag", `W/"2"`, "第三版标题", http.StatusOK, "", `"3"`),
			sc("unquoted etag", `3`, "第四版标题", http.StatusOK, "", `"4"`),
			sc("malformed", `"abc"`, "x", http.StatusBadRequest, "request.if_match_invalid", ""),
			sc("zero", `"0"`, "x", http.StatusBadRequest, "request.if_match_invalid", ""),
			sc("no If-Match is last-write-wins", "", "第五版标题", http.StatusOK, "", `"5"`),
			sc("same title changes nothing", `"5"`, "第五版标题", http.StatusOK, "", `"5"`),
		})
		r := e.do(t, call{as: "cust1", method: http.MethodGet, path: ticketPath(n)})
		if got := str(r.object(t), "title"); got != "第五版标题" {
			t.Errorf("title = %q; the stale write must not have landed", got)
		}

		t.Run("concurrent", func(t *testing.T) {
			for round := range 5 {
				cur := e.do(t, call{as: "cust1", method: http.MethodGet, path: ticketPath(n)}).header.Get("ETag")
				tok := e.token(t, "cust1")
				var wg sync.WaitGroup
				start := make(chan struct{})
				statuses := make([]int, 2)
				for i := range statuses {
					wg.Go(func() {
						req, _ := http.NewRequest(http.MethodPatch, e.srv.URL+ticketPath(n),
							strings.NewReader(`{"description":"并发修改 `+string(rune('A'+round*2+i))+`"}`))
						req.Header.Set("Authorization", "Bearer "+tok)
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("If-Match", cur)
						<-start
						res, err := e.srv.Client().Do(req)
						if err != nil {
							return
						}
						res.Body.Close()
						statuses[i] = res.StatusCode
					})
				}
				close(start)
				wg.Wait()
				slices.Sort(statuses)
				if !slices.Equal(statuses, []int{http.StatusOK, http.StatusPreconditionFailed}) {
					t.Errorf("round %d: statuses = %v, want one 200 and one 412", round, statuses)
				}
			}
		})
	})
}
