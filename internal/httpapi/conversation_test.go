package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"helpdesk/internal/i18n"
)

func TestStatusChanges(t *testing.T) {
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		n := str(e.createTicket(t, "cust1", nil), "number")
		st := func(name, as, to, comment string, status int, code string) scenario {
			body := map[string]any{"status": to}
			if comment != "" {
				body["comment"] = comment
			}
			return scenario{name: name, as: as, method: http.MethodPost, path: ticketPath(n, "status"), body: body,
				wantStatus: status, wantCode: code, check: func(t *testing.T, r reply) {
					if status == http.StatusOK && str(r.object(t), "status") != to {
						t.Errorf("status = %q, want %q", str(r.object(t), "status"), to)
					}
				}}
		}
		e.run(t, []scenario{
			st("unassigned to resolved is no transition", "cust1", "resolved", "", http.StatusConflict, "ticket.transition_invalid"),
			st("unknown status", "cust1", "reopened", "", http.StatusUnprocessableEntity, ""),
			{name: "agent claims", as: "agent1", method: http.MethodPost, path: ticketPath(n, "claim"), wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					if m := r.object(t); m["assignee"] != "agent1" || m["status"] != "assigned" {
						t.Errorf("after claim: assignee %v status %v", m["assignee"], m["status"])
					}
				}},
			{name: "second claim loses", as: "agent2", method: http.MethodPost, path: ticketPath(n, "claim"),
				wantStatus: http.StatusConflict, wantCode: "ticket.already_assigned"},
			st("customer cannot start work", "cust1", "in_progress", "", http.StatusConflict, "ticket.transition_forbidden"),
			st("assignee starts", "agent1", "in_progress", "", http.StatusOK, ""),
			st("assignee proposes a solution", "agent1", "awaiting_confirmation", "已更新驱动", http.StatusOK, ""),
			st("customer rejects without a reason", "cust1", "follow_up", "", http.StatusUnprocessableEntity, "ticket.comment_required"),
			st("blank reason is no reason", "cust1", "follow_up", "   ", http.StatusUnprocessableEntity, "ticket.comment_required"),
			st("customer rejects with a reason", "cust1", "follow_up", "还是打不开", http.StatusOK, ""),
			st("colleague of another group", "agent3", "in_progress", "", http.StatusNotFound, "ticket.not_found"),
			{name: "history records the reason", as: "cust1", path: ticketPath(n, "history"), wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					for _, ev := range r.items(t) {
						if ev["to"] == "follow_up" && ev["comment"] == "还是打不开" && ev["actor"] == "cust1" {
							return
						}
					}
					t.Errorf("no follow_up event with the comment in %s", r.body)
				}},
		})
		t.Run("transition detail names the statuses", func(t *testing.T) {
			for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
				r := e.do(t, call{as: "cust1", method: http.MethodPost, path: ticketPath(n, "status"),
					body: map[string]any{"status": "unassigned"}, headers: map[string]string{"Accept-Language": string(lang)}})
				p := r.problem(t)
				if p.Code != "ticket.transition_invalid" {
					t.Fatalf("%s: code %q, want ticket.transition_invalid", lang, p.Code)
				}
				for _, s := range []string{"follow_up", "unassigned"} {
					if label := i18n.T(lang, "status."+s, nil); !strings.Contains(p.Detail, label) {
						t.Errorf("%s: detail %q does not name %q", lang, p.Detail, label)
					}
				}
			}
		})
	})
}

func TestInternalNotes(t *testing.T) {
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		n := str(e.createTicket(t, "cust1", nil), "number")
		const note = "内部：客户的授权已过期，先别告诉他"
		hasNote := func(items []map[string]any) bool {
			for _, it := range items {
				if it["body"] == note || it["kind"] == "note" || it["internal"] == true {
					return true
				}
			}
			return false
		}
		post := func(name, as string, body map[string]any, status int, code string) scenario {
			return scenario{name: name, as: as, method: http.MethodPost, path: ticketPath(n, "messages"), body: body,
				wantStatus: status, wantCode: code}
		}
		e.run(t, []scenario{
			{name: "claim", as: "agent1", method: http.MethodPost, path: ticketPath(n, "claim"), wantStatus: http.StatusOK},
			post("agent note", "agent1", map[string]any{"body": note, "internal": true}, http.StatusCreated, ""),
			post("agent reply", "agent1", map[string]any{"body": "请问是哪个版本？"}, http.StatusCreated, ""),
			post("customer reply", "cust1", map[string]any{"body": "3.2.1"}, http.StatusCreated, ""),
			post("customer note", "cust1", map[string]any{"body": "偷偷的", "internal": true}, http.StatusForbidden, "ticket.note_forbidden"),
			post("org colleague note", "cust2", map[string]any{"body": "偷偷的", "internal": true}, http.StatusForbidden, "ticket.note_forbidden"),
			post("empty body", "cust1", map[string]any{"body": "  "}, http.StatusUnprocessableEntity, "field.required"),
			{name: "customer reads the conversation", as: "cust1", path: ticketPath(n, "messages"), wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					items := r.items(t)
					if len(items) != 2 || hasNote(items) {
						t.Errorf("customer sees %d messages (note visible: %v), want the 2 public ones", len(items), hasNote(items))
					}
				}},
			{name: "org colleague reads the conversation", as: "cust2", path: ticketPath(n, "messages"), wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					if items := r.items(t); len(items) != 2 || hasNote(items) {
						t.Errorf("colleague sees %d messages (note visible: %v), want 2", len(items), hasNote(items))
					}
				}},
			{name: "agent reads the conversation", as: "agent2", path: ticketPath(n, "messages"), wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					items := r.items(t)
					if len(items) != 3 || !hasNote(items) {
						t.Errorf("agent sees %d messages (note visible: %v), want 3 with the note", len(items), hasNote(items))
					}
					if items[0]["author"] != "agent1" || items[0]["internal"] != true {
						t.Errorf("first message = %v, want agent1's internal note", items[0])
					}
				}},
			{name: "customer reads the history", as: "cust1", path: ticketPath(n, "history"), wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					if hasNote(r.items(t)) {
						t.Errorf("customer history reveals the note: %s", r.body)
					}
				}},
			{name: "agent reads the history", as: "agent1", path: ticketPath(n, "history"), wantStatus: http.StatusOK,
				check: func(t *testing.T, r reply) {
					if !hasNote(r.items(t)) {
						t.Errorf("staff history lacks the note event: %s", r.body)
					}
				}},
		})
	})
}

// TestHiddenTicketsAreNotFound checks that a ticket the caller may not see
// answers 404 on every route, exactly like a ticket that does not exist,
// while a ticket the caller sees but may not change answers 403.
func TestHiddenTicketsAreNotFound(t *testing.T) {
	engines(t, envOptions{}, func(t *testing.T, e *env) {
		n := str(e.createTicket(t, "cust1", nil), "number")
		up := e.upload(t, "cust1", n, "log.txt", []byte("error: disk full\n"))
		if up.status != http.StatusCreated {
			t.Fatalf("upload: %d %s", up.status, up.body)
		}
		att := str(up.object(t), "url")
		routes := []struct {
			name, method, path string
			body               any
		}{
			{"get", http.MethodGet, ticketPath(n), nil},
			{"patch", http.MethodPatch, ticketPath(n), map[string]any{"title": "改"}},
			{"status", http.MethodPost, ticketPath(n, "status"), map[string]any{"status": "closed"}},
			{"claim", http.MethodPost, ticketPath(n, "claim"), nil},
			{"assign", http.MethodPost, ticketPath(n, "assign"), map[string]any{"assignee": "agent3"}},
			{"list messages", http.MethodGet, ticketPath(n, "messages"), nil},
			{"post message", http.MethodPost, ticketPath(n, "messages"), map[string]any{"body": "hi"}},
			{"history", http.MethodGet, ticketPath(n, "history"), nil},
			{"list attachments", http.MethodGet, ticketPath(n, "attachments"), nil},
			{"download attachment", http.MethodGet, att, nil},
		}
		missing := func(path string) string { return strings.Replace(path, n, "TS19990101001", 1) }
		for _, stranger := range []string{"cust3", "agent3"} {
			for _, rt := range routes {
				t.Run(stranger+" "+rt.name, func(t *testing.T) {
					r := e.do(t, call{as: stranger, method: rt.method, path: rt.path, body: rt.body})
					// The answer must not tell a hidden ticket from a missing one.
					m := e.do(t, call{as: stranger, method: rt.method, path: missing(rt.path), body: rt.body})
					if got, want := r.status, m.status; got != want || r.problem(t).Code != m.problem(t).Code {
						t.Errorf("hidden ticket: %d %s; missing ticket: %d %s", got, r.body, want, m.body)
					}
					if stranger == "cust3" && rt.name == "claim" {
						return // a customer can claim nothing: 422 before any lookup
					}
					if r.status != http.StatusNotFound || r.problem(t).Code != "ticket.not_found" {
						t.Errorf("status %d body %s, want 404 ticket.not_found", r.status, r.body)
					}
				})
			}
			t.Run(stranger+" upload", func(t *testing.T) {
				if r := e.upload(t, stranger, n, "x.txt", []byte("hello")); r.status != http.StatusNotFound {
					t.Errorf("status %d, want 404: %s", r.status, r.body)
				}
			})
		}
		// Visible but not allowed: 403, never 404.
		e.run(t, []scenario{
			{name: "requester may not triage", as: "cust1", method: http.MethodPatch, path: ticketPath(n),
				body: map[string]any{"priority": "P1"}, wantStatus: http.StatusForbidden, wantCode: "ticket.edit_forbidden"},
			{name: "org colleague may not edit", as: "cust2", method: http.MethodPatch, path: ticketPath(n),
				body: map[string]any{"title": "改"}, wantStatus: http.StatusForbidden, wantCode: "ticket.edit_forbidden"},
			{name: "customer may not assign", as: "cust1", method: http.MethodPost, path: ticketPath(n, "assign"),
				body: map[string]any{"assignee": "agent1"}, wantStatus: http.StatusForbidden, wantCode: "ticket.assign_forbidden"},
			{name: "agent may not assign others", as: "agent1", method: http.MethodPost, path: ticketPath(n, "assign"),
				body: map[string]any{"assignee": "agent2"}, wantStatus: http.StatusForbidden, wantCode: "ticket.assign_forbidden"},
			{name: "group agent may triage", as: "agent1", method: http.MethodPatch, path: ticketPath(n),
				body: map[string]any{"priority": "P1"}, wantStatus: http.StatusOK},
			{name: "supervisor may assign", as: "super1", method: http.MethodPost, path: ticketPath(n, "assign"),
				body: map[string]any{"assignee": "agent2"}, wantStatus: http.StatusOK},
		})
	})
}
